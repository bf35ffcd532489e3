package io.hoist.transport.ssh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSch's log, bridged to slf4j: protocol detail, so at trace (JSch's debug) or debug (the rest).
 */
final class JschLogger implements com.jcraft.jsch.Logger {

  private static final Logger LOG = LoggerFactory.getLogger("io.hoist.transport.ssh.jsch");

  @Override
  public boolean isEnabled(int level) {
    return level == DEBUG ? LOG.isTraceEnabled() : LOG.isDebugEnabled();
  }

  @Override
  public void log(int level, String message) {
    if (level == DEBUG) {
      LOG.trace(message);
    } else {
      LOG.debug(message);
    }
  }
}
