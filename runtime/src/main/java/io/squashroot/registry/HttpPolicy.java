package io.squashroot.registry;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The ordered endpoints tried for a registry; the one place that decides HTTP vs HTTPS.
 *
 * <ol>
 * <li>Mirrors configured for the registry (SQUASHROOT_REGISTRY_MIRRORS), in their order; TLS to a
 *     mirror is verified unless the mirror's host is listed as insecure.</li>
 * <li>With ENROOT_ALLOW_HTTP set: {@code http://REGISTRY} only, for every registry, as enroot
 *     (its curl builds {@code http://} URLs and merely allows redirects to https).</li>
 * <li>A registry in SQUASHROOT_INSECURE_REGISTRIES: {@code https://} without certificate checks,
 *     then {@code http://} if that fails to connect (Docker's insecure-registries rule).</li>
 * <li>Anything else: {@code https://} with verified TLS, and nothing else.</li>
 * </ol>
 */
final class HttpPolicy {

    private final RegistrySettings settings;

    HttpPolicy(RegistrySettings settings) {
        this.settings = settings;
    }

    List<Endpoint> endpoints(String registry) {
        List<Endpoint> out = new ArrayList<>();
        for (URI m : settings.mirrors().getOrDefault(RegistrySettings.canonicalRegistry(registry), List.of())) {
            boolean insecure = settings.isInsecure(m.getAuthority());
            out.add(new Endpoint(m, !insecure, true));
        }
        if (settings.allowHttp()) {
            out.add(new Endpoint(URI.create("http://" + registry), false, false));
        } else if (settings.isInsecure(registry)) {
            out.add(new Endpoint(URI.create("https://" + registry), false, false));
            out.add(new Endpoint(URI.create("http://" + registry), false, false));
        } else {
            out.add(new Endpoint(URI.create("https://" + registry), true, false));
        }
        return out;
    }

    /** May a redirect from {@code from} go to {@code to}? No silent downgrade to plain HTTP. */
    boolean allowsRedirect(Endpoint from, URI to) {
        String scheme = to.getScheme();
        if ("https".equals(scheme)) {
            return true;
        }
        return "http".equals(scheme) && (from.isHttp() || settings.isInsecure(to.getAuthority()));
    }

    /** TLS verification for a host that is not a registry endpoint (token realm, blob storage). */
    boolean verifyTlsFor(URI uri) {
        return !settings.isInsecure(uri.getAuthority()) && !settings.isInsecure(uri.getHost());
    }
}
