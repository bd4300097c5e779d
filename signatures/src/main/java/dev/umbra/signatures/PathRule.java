package dev.umbra.signatures;

import java.util.Objects;

/**
 * A URL path rule of a service, for finer matches in proxy logs: requests whose path starts with
 * {@code prefix} are the service's {@code function} (for example {@code file_upload} vs {@code chat}).
 *
 * @param prefix path prefix, starting with {@code /}
 * @param function snake_case name of what the endpoint does
 */
public record PathRule(String prefix, String function) {
    public PathRule {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(function, "function");
        if (!prefix.startsWith("/")) {
            throw new IllegalArgumentException("path prefix must start with /: " + prefix);
        }
        if (!function.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("path function must be snake_case: " + function);
        }
    }
}
