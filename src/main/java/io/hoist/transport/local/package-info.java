/**
 * The local transport: commands run through {@code bash -c} on this machine, files are copied on
 * the local file system. Used for the core node itself and for tests. Depends on {@code transport},
 * {@code model}, {@code command} and {@code error}; imports no SSH library.
 */
package io.hoist.transport.local;
