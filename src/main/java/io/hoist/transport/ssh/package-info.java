/**
 * The SSH transport, on JSch (the maintained {@code com.github.mwiede:jsch} fork): one session per
 * node, opened lazily and reused for every command and SFTP transfer; host keys always checked
 * against known_hosts (accept-new built on top); OpenSSH client config honoured for {@code Host}
 * entries. The only package that imports JSch. Depends on {@code transport}, {@code model}, {@code
 * command} and {@code error}.
 */
package io.hoist.transport.ssh;
