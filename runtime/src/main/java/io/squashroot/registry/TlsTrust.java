package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS contexts for registry connections. The verifying context trusts the JDK's CAs plus the
 * PEM certificates in SSL_CERT_FILE and SSL_CERT_DIR (the variables curl and OpenSSL honour,
 * so an in-house CA configured for enroot works here too). The insecure context, used only for
 * registries listed in SQUASHROOT_INSECURE_REGISTRIES, accepts any certificate and any host
 * name: in JSSE the host-name check is part of the X509ExtendedTrustManager, so a trust manager
 * that accepts everything also turns it off for that client only.
 */
final class TlsTrust {

    private TlsTrust() {
    }

    static SSLContext verifying(Path caFile, Path caDir) throws IOException {
        List<X509Certificate> extra = new ArrayList<>();
        if (caFile != null) {
            extra.addAll(readPem(caFile));
        }
        if (caDir != null && Files.isDirectory(caDir)) {
            // A c_rehash'ed directory names each certificate two or three times (NAME.pem, its
            // HASH.0 link, the file they point to): parse each real file once.
            java.util.Set<Path> seen = new java.util.HashSet<>();
            if (caFile != null) {
                seen.add(caFile.toRealPath());
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(caDir)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (Files.isRegularFile(p) && (n.endsWith(".pem") || n.endsWith(".crt") || n.matches("[0-9a-f]{8}\\.[0-9]+"))
                            && seen.add(p.toRealPath())) {
                        extra.addAll(readPem(p));
                    }
                }
            }
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (extra.isEmpty()) {
                ctx.init(null, null, null);
                return ctx;
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            // Keep the JDK's own CAs: SSL_CERT_FILE adds to them here rather than replacing them.
            TrustManagerFactory dflt = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            dflt.init((KeyStore) null);
            int n = 0;
            for (TrustManager tm : dflt.getTrustManagers()) {
                if (tm instanceof javax.net.ssl.X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("jdk-" + n++, c);
                    }
                }
            }
            for (X509Certificate c : extra) {
                ks.setCertificateEntry("extra-" + n++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS trust: " + e.getMessage(), e);
        }
    }

    /**
     * For plain-http clients, which never handshake: a context whose trust manager refuses every
     * certificate, because the JDK's default context would load its CA store for nothing.
     */
    static SSLContext none() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new RefuseAll()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext insecure() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new AcceptAll()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<X509Certificate> readPem(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException(p + ": not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    private static final class RefuseAll implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("no TLS on a plain-http client");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("no TLS on a plain-http client");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private static final class AcceptAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
