package io.squashroot.registry;

import java.net.URI;

/**
 * Where requests for one registry go: a base URI ({@code https://host:port}) and whether TLS is
 * verified there. A registry can have several (mirrors, then https, then the http fallback).
 */
record Endpoint(URI base, boolean verifyTls, boolean mirror) {

    boolean isHttp() {
        return "http".equals(base.getScheme());
    }

    URI resolve(String path) {
        return URI.create(base.toString() + path);
    }

    @Override
    public String toString() {
        return base + (verifyTls || isHttp() ? "" : " (TLS unverified)") + (mirror ? " (mirror)" : "");
    }
}
