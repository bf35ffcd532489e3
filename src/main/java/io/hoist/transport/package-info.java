/**
 * How hoist talks to a node: run a command with a timeout, streaming its output, and copy files
 * with checksum verification. {@code ssh} implements it with JSch, {@code local} with {@code bash
 * -c}; both obey the same contract (one test suite runs against both). Depends on {@code model},
 * {@code command} and {@code error}; only {@code transport.ssh} imports JSch.
 */
package io.hoist.transport;
