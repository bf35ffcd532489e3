/**
 * The cluster file: locating it ({@link io.hoist.config.ClusterFiles}), reading its YAML into a
 * small tree whose every node knows its line and column, and binding that tree into the immutable
 * {@code io.hoist.model} records while collecting every problem, each as {@code FILE:LINE:COLUMN:
 * message} ({@link io.hoist.config.ClusterLoader}). Also the value syntaxes of the file that the
 * command line shares ({@link io.hoist.config.Durations}, {@link io.hoist.config.ByteSizes}), and
 * the file's JSON Schema for editors ({@link io.hoist.config.ClusterSchema}). Depends on {@code
 * model}, {@code command} (template checks), {@code release} (version syntax) and {@code error}; of
 * the outside world, only Jackson's streaming YAML parser and SnakeYAML's limits.
 */
package io.hoist.config;
