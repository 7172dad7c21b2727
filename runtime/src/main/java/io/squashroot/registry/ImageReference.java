package io.squashroot.registry;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code docker://} image URI in enroot's grammar:
 * {@code docker://[USER@][REGISTRY#]IMAGE[:TAG|@DIGEST]}, plus the Docker-style
 * {@code docker://[USER@]REGISTRY/IMAGE[:TAG|@DIGEST]} where the first path segment is a registry
 * only if it contains a dot or a colon (otherwise it is a Docker Hub namespace). Docker Hub
 * aliases are canonicalised to {@code registry-1.docker.io} and single-segment names get
 * {@code library/}. The patterns follow enroot's {@code docker::_parse_uri} so the same strings
 * mean the same image in both tools.
 *
 * @param user       login for the credentials file, or null
 * @param registry   host[:port]
 * @param repository the image name inside the registry (e.g. {@code library/ubuntu})
 * @param reference  a tag or a {@code sha256:} digest (a digest wins over a tag given with it)
 */
public record ImageReference(String user, String registry, String repository, String reference) {

    public static final String DOCKER_HUB = "registry-1.docker.io";

    private static final String USER = "([A-Za-z0-9_.!~*'()%;:&=+$,-]+)";
    private static final String IMAGE = "([a-z0-9/._-]+)";
    private static final String TAG = "([A-Za-z0-9._:-]+)";
    private static final String DIGEST = "(sha256:[A-Fa-f0-9]{64})";
    private static final String U = "^docker://(?:" + USER + "@)?";

    // Order matters: it is enroot's order of attempts.
    private static final List<Pattern> SLASH_FORMS = List.of(
            Pattern.compile(U + "([^/#@\\s]+)/" + IMAGE + ":" + TAG + "@" + DIGEST + "$"),
            Pattern.compile(U + "([^/#@\\s]+)/" + IMAGE + "@" + DIGEST + "$"),
            Pattern.compile(U + "([^/#@\\s]+)/" + IMAGE + "(?::" + TAG + ")?$"));
    private static final List<Pattern> PLAIN_FORMS = List.of(
            Pattern.compile(U + "([a-z0-9._-]+):" + TAG + "@" + DIGEST + "$"),
            Pattern.compile(U + "([a-z0-9._-]+)@" + DIGEST + "$"),
            Pattern.compile(U + "([a-z0-9._-]+)(?::" + TAG + ")?$"));
    private static final List<Pattern> HASH_FORMS = List.of(
            Pattern.compile(U + "([^#/@\\s]+)#" + IMAGE + ":" + TAG + "@" + DIGEST + "$"),
            Pattern.compile(U + "([^#/@\\s]+)#" + IMAGE + "@" + DIGEST + "$"),
            Pattern.compile(U + "([^#/@\\s]+)#" + IMAGE + "(?::" + TAG + ")?$"));

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(reference, "reference");
    }

    /** True if {@code uri} uses the docker:// scheme (whether or not it is well-formed). */
    public static boolean isDockerUri(String uri) {
        return uri.startsWith("docker://");
    }

    /** Parses a docker:// URI; IllegalArgumentException names the URI if it does not parse. */
    public static ImageReference parse(String uri) {
        for (int i = 0; i < SLASH_FORMS.size(); i++) {
            Matcher m = SLASH_FORMS.get(i).matcher(uri);
            if (m.matches()) {
                String first = m.group(2);
                String image = m.group(3);
                String ref = i == 2 ? m.group(4) : (i == 0 ? m.group(5) : m.group(4));
                if (first.contains(".") || first.contains(":")) {
                    return canonical(m.group(1), first, image, ref);
                }
                return canonical(m.group(1), DOCKER_HUB, first + "/" + image, ref);
            }
        }
        for (int i = 0; i < PLAIN_FORMS.size(); i++) {
            Matcher m = PLAIN_FORMS.get(i).matcher(uri);
            if (m.matches()) {
                String ref = i == 0 ? m.group(4) : m.group(3);
                return canonical(m.group(1), DOCKER_HUB, "library/" + m.group(2), ref);
            }
        }
        for (int i = 0; i < HASH_FORMS.size(); i++) {
            Matcher m = HASH_FORMS.get(i).matcher(uri);
            if (m.matches()) {
                String ref = i == 0 ? m.group(5) : m.group(4);
                return canonical(m.group(1), m.group(2), m.group(3), ref);
            }
        }
        throw new IllegalArgumentException("Invalid image reference: " + uri);
    }

    private static ImageReference canonical(String user, String registry, String image, String ref) {
        String reg = registry;
        String repo = image;
        if (reg.equals("docker.io") || reg.equals("index.docker.io") || reg.equals(DOCKER_HUB)) {
            reg = DOCKER_HUB;
            if (!repo.contains("/")) {
                repo = "library/" + repo;
            }
        }
        return new ImageReference(user, reg, repo, ref == null || ref.isEmpty() ? "latest" : ref);
    }

    /** Same reference with the login filled in (from the credentials file). */
    public ImageReference withUser(String login) {
        return new ImageReference(login, registry, repository, reference);
    }

    public boolean isDigest() {
        return reference.startsWith("sha256:");
    }

    /** Host without port: the {@code machine} name looked up in the credentials file. */
    public String registryHost() {
        int colon = registry.lastIndexOf(':');
        return colon < 0 || registry.startsWith("[") ? registry : registry.substring(0, colon);
    }

    /** enroot's default output file name: {@code IMAGE+TAG.sqsh} with '/' turned into '+'. */
    public String defaultOutputName() {
        String display = repository;
        if (registry.equals(DOCKER_HUB) && display.startsWith("library/")) {
            display = display.substring("library/".length());
        }
        return display.replace('/', '+') + "+" + reference + ".sqsh";
    }

    /** The canonical URI in enroot's '#' form, as written in /etc/rc's provenance line. */
    public String uri() {
        String sep = isDigest() ? "@" : ":";
        return "docker://" + registry + "#" + repository + sep + reference;
    }

    @Override
    public String toString() {
        return uri();
    }
}
