package io.squashroot.squashfs;

import java.io.IOException;

/**
 * The image is well formed but uses something this reader does not implement (an unknown
 * compressor id, a SquashFS version other than 4.0). One line, naming the image and the feature.
 */
public final class UnsupportedFeatureException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnsupportedFeatureException(String message) {
        super(message);
    }
}
