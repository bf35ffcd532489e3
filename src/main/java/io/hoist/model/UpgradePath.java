package io.hoist.model;

/**
 * "To reach {@code to}, a node must already be on a version in {@code from}" (Weka: to reach 3.6.x
 * go through 3.5.3 or above).
 *
 * @param to a version line ({@code "3.6"} means every 3.6.x), an exact version ({@code "3.6.1"}),
 *     or a range ({@code ">=3.6.0 <4.0.0"})
 * @param from a version range the node must be in before a hop into {@code to}
 */
public record UpgradePath(String to, String from) {}
