package io.squashroot.cli;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Hidden: the training run for the application class-data-sharing archive that bin/squashroot
 * builds next to the jar (-XX:ArchiveClassesAtExit). It loads what a container start loads
 * (command line parsing, configuration, launcher, FUSE and overlay classes) without starting
 * anything, so a real start maps those classes from the archive instead of parsing jars:
 * the largest part of the JVM's share of start latency.
 */
@Command(name = "cds-train", hidden = true)
final class CdsTrainCommand implements Runnable {
    private static final List<String> CLASSES = List.of(
            "io.squashroot.runtime.Containers", "io.squashroot.runtime.Launcher",
            "io.squashroot.runtime.LaunchRequest", "io.squashroot.runtime.StartOptions",
            "io.squashroot.runtime.ContainerStore", "io.squashroot.runtime.ContainerStore$Lock",
            "io.squashroot.runtime.ContainerRecord", "io.squashroot.runtime.RunDirs",
            "io.squashroot.runtime.Mounts", "io.squashroot.runtime.Tree", "io.squashroot.runtime.ImageFile",
            "io.squashroot.runtime.ScriptLibrary", "io.squashroot.runtime.Rootfs", "io.squashroot.runtime.FuseRootfs",
            "io.squashroot.runtime.HostIds", "io.squashroot.runtime.Signals",
            "io.squashroot.fuse.FuseMount", "io.squashroot.fuse.MountOptions", "io.squashroot.fuse.JnrFuseBackend",
            "io.squashroot.tree.FsTree", "io.squashroot.tree.FileAttr", "io.squashroot.fuse.SquashfsTree",
            "io.squashroot.fuse.MountTable", "io.squashroot.cli.MountCommand", "io.squashroot.cli.MountDaemon",
            "io.squashroot.overlay.Overlay", "io.squashroot.squashfs.SquashfsImage",
            "io.squashroot.squashfs.BlockCache", "sun.misc.Signal", "sun.misc.SignalHandler",
            // what a start loads outside the rehearsal (Containers.warmNow), found with -Xlog:class+load
            // (ErrorReporter and VersionCommand$Provider implement picocli interfaces: not archivable)
            "io.squashroot.cli.RuntimeSettings", "io.squashroot.runtime.NamespaceIds",
            "io.squashroot.runtime.HostLocale", "io.squashroot.runtime.FuseRootfs$1",
            "io.squashroot.fuse.MountOptions$Builder", "io.squashroot.fuse.SetattrTimes",
            "io.squashroot.fuse.JnrFuseBackend$TreeCall", "io.squashroot.registry.ArchiveSource",
            "io.squashroot.registry.VerifyingInputStream", "io.squashroot.registry.FileSlice",
            "java.lang.ProcessBuilder$RedirectPipeImpl",
            // import and start docker://: the registry client and the JDK's HTTP client
            "io.squashroot.registry.ImageStore", "io.squashroot.registry.Importer",
            "io.squashroot.registry.RegistryClient", "io.squashroot.registry.HttpTransport",
            "io.squashroot.registry.LayerCache", "io.squashroot.registry.CacheLock",
            "io.squashroot.registry.BlobStream", "io.squashroot.registry.Manifest",
            "io.squashroot.registry.ImageRecord", "io.squashroot.registry.StoredImage",
            "io.squashroot.registry.ContainerPin", "io.squashroot.registry.Json", "io.squashroot.registry.Digest",
            "io.squashroot.registry.ImageConfig", "io.squashroot.registry.Descriptor",
            "io.squashroot.registry.RegistrySource", "io.squashroot.registry.ImageSource$Resolved",
            "io.squashroot.registry.RegistryClient$Fetched", "io.squashroot.registry.HttpPolicy",
            "io.squashroot.registry.Endpoint", "io.squashroot.registry.Credentials",
            "io.squashroot.registry.TlsTrust", "io.squashroot.registry.LayerCache$LayerMeta",
            "io.squashroot.registry.SystemCacheCheck", "io.squashroot.registry.WriterConverter",
            "io.squashroot.registry.RcFiles", "io.squashroot.registry.MediaTypes",
            "io.squashroot.cli.ImportCommand", "io.squashroot.cli.ProgressPrinter", "io.squashroot.cli.RegistryCommands",
            "io.squashroot.squashfs.write.SquashfsWriter");

    @Override
    public void run() {
        try {
            NativeLibraries.unpackAll(NativeLibraries.besideJar());
        } catch (IOException | RuntimeException e) {
            // the libraries then unpack themselves on each run
        }
        CommandLine cl = Main.commandLine();
        cl.parseArgs("start", "--rw", "-e", "A=1", "-m", "/a:/b", "image.sqsh", "true");
        try {
            io.squashroot.runtime.config.ConfigLoader.fromSystem().load();
        } catch (Exception e) {
            // training only
        }
        io.squashroot.runtime.Containers.warmNow();
        ClassLoader l = CdsTrainCommand.class.getClassLoader();
        for (String c : CLASSES) {
            try {
                Class.forName(c, false, l);
            } catch (Throwable e) {
                // a class that is not in this build: nothing to archive
            }
        }
        try {
            new ProcessBuilder("true").start().waitFor();
            java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo"));
            ProcessHandle.current().info().startInstant();
            Main.commandLine().parseArgs("import", "-o", "x.sqsh", "docker://registry.example/x/y:1");
            io.squashroot.registry.ImageReference.parse("docker://nvcr.io#nvidia/pytorch:25.06-py3");
            io.squashroot.registry.RegistrySettings.fromEnvironment(System::getenv);
            httpExchange();
        } catch (Exception e) {
            // training only
        }
    }

    /**
     * One GET through the JDK's HTTP client against a throwaway loopback server, with a TLS
     * context built as the registry client builds one for plain http: an import's exchange
     * loads some 400 JDK classes (client, selector, SSL parameters) that are otherwise parsed
     * at every run, a third of a cached re-import's time.
     */
    private static void httpExchange() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a)
                        throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("training");
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a)
                        throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("training");
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().sslContext(ctx)
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
                    .connectTimeout(java.time.Duration.ofSeconds(5)).build();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/");
            java.net.http.HttpResponse<java.io.InputStream> r = c.send(java.net.http.HttpRequest.newBuilder(uri)
                    .timeout(java.time.Duration.ofSeconds(5)).header("Accept", "application/json").GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = r.body()) {
                in.readAllBytes();
            }
            r.headers().firstValue("Content-Type");
        } finally {
            server.stop(0);
        }
    }
}
