package io.hoist.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An embedded SSH server (Apache MINA SSHD) standing in for one node: listens on 127.0.0.1, runs
 * every exec request through a real {@code bash -c} in the node's directory (with {@code HOME} and
 * {@code NODE_DIR} set to it), serves SFTP on the real file system, and accepts public keys from a
 * list (and optionally one password). Like OpenSSH 9, it refuses {@code ssh-rsa} (SHA-1)
 * signatures.
 *
 * <pre>{@code
 * SshServerFixture server = SshServerFixture.builder(nodeDir, hostKeyFile)
 *     .authorize(TestKeys.publicKeyOf(key)).start();
 * ...
 * server.stop();
 * }</pre>
 *
 * The host key is kept in a file: a fixture built with the same file presents the same key after a
 * restart ({@link Builder#port(int)} reuses a port), one built with another file a different key.
 *
 * <p>Faults: {@link #inject(Fault)} makes the server drop the connection, stall, go away or report
 * a full disk at a chosen request (see {@link Fault.Action}); {@link #faultsFired()} says which
 * fired.
 */
public final class SshServerFixture implements AutoCloseable {

  /** Host key algorithms. */
  public enum KeyType {
    ED25519(SecurityUtils.EDDSA, 0),
    RSA(KeyUtils.RSA_ALGORITHM, 3072),
    ECDSA(KeyUtils.EC_ALGORITHM, 256);

    private final String algorithm;
    private final int size;

    KeyType(String algorithm, int size) {
      this.algorithm = algorithm;
      this.size = size;
    }
  }

  /** Options of a fixture. */
  public static final class Builder {
    private final Path nodeDir;
    private final Path hostKeyFile;
    private KeyType keyType = KeyType.ED25519;
    private int port;
    private String password;
    private boolean killOnClose = true;
    private int maxSessions;
    private List<String> kex;
    private List<String> ciphers;
    private final List<PublicKey> authorized = new ArrayList<>();
    private final Map<String, String> environment = new java.util.HashMap<>();
    private String loginShell = "bash";

    private Builder(Path nodeDir, Path hostKeyFile) {
      this.nodeDir = nodeDir;
      this.hostKeyFile = hostKeyFile;
    }

    /** The host key's type, when the key file does not exist yet (default ed25519). */
    public Builder hostKeyType(KeyType type) {
      this.keyType = type;
      return this;
    }

    /** Listen on this port instead of a free one (to restart a server in place). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Whether a command is killed (with its process tree) when its channel closes or an SSH
     * "signal" request arrives (default). {@code false} behaves like OpenSSH for a login as root,
     * or for a command without a pty: signal requests are ignored, and the command keeps running
     * after its channel closed.
     */
    public Builder killOnClose(boolean kill) {
      this.killOnClose = kill;
      return this;
    }

    /**
     * Like OpenSSH's {@code MaxSessions}: at most this many channels per connection, where a
     * command that outlived its channel still takes its place until it ends (0: no limit). A
     * channel over the limit is refused ("channel is not opened" in JSch).
     */
    public Builder maxSessions(int max) {
      this.maxSessions = max;
      return this;
    }

    /**
     * Sets a variable in the environment of every command, over this JVM's (to put fake tools first
     * on a node's {@code PATH}, for instance).
     */
    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /**
     * The login shell that runs every exec request ({@code bash} unless said otherwise): {@code sh}
     * (dash here) stands for a node whose login shell is not bash.
     */
    public Builder loginShell(String shell) {
      this.loginShell = shell;
      return this;
    }

    /**
     * Offers only these key exchange algorithms, in this order (default: Apache MINA SSHD's, which
     * with Bouncy Castle on the class path start with sntrup761x25519 and mlkem768x25519).
     */
    public Builder kex(String... names) {
      this.kex = List.of(names);
      return this;
    }

    /** Offer only these ciphers (SSH names, in this order) instead of MINA SSHD's defaults. */
    public Builder ciphers(String... names) {
      this.ciphers = List.of(names);
      return this;
    }

    /** Accept this password for any user. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** Accept the key in this OpenSSH public key file ({@code ssh-ed25519 AAAA... comment}). */
    public Builder authorize(Path publicKeyFile) {
      try {
        for (AuthorizedKeyEntry entry : AuthorizedKeyEntry.readAuthorizedKeys(publicKeyFile)) {
          authorized.add(entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("bad public key in " + publicKeyFile, e);
      }
      return this;
    }

    /** Starts the server. */
    public SshServerFixture start() {
      SshServerFixture fixture = new SshServerFixture(this);
      fixture.start();
      return fixture;
    }
  }

  private final Builder options;
  private final NodeServer server;
  private final List<Armed> faults = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<String> fired = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger stalled = new AtomicInteger();
  private volatile boolean refusing;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon());
  private final AtomicInteger sessionsOpened = new AtomicInteger();
  private final AtomicInteger commandsStarted = new AtomicInteger();
  private final AtomicInteger channelsToRefuse = new AtomicInteger();
  private final AtomicInteger execsToRefuse = new AtomicInteger();
  private final Set<Process> processes = ConcurrentHashMap.newKeySet();
  private final Map<Session, Set<Process>> processesBySession = new ConcurrentHashMap<>();
  private final List<String> users = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger publicKeyChecks =
      new java.util.concurrent.atomic.AtomicInteger();
  private final List<String> kexes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<String> ciphers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private PublicKey hostKey;

  /**
   * A builder for a node whose commands run in {@code nodeDir}, host key in {@code hostKeyFile}.
   */
  public static Builder builder(Path nodeDir, Path hostKeyFile) {
    return new Builder(nodeDir, hostKeyFile);
  }

  private SshServerFixture(Builder options) {
    this.options = options;
    this.server = (NodeServer) ServerBuilder.builder().factory(NodeServer::new).build();
  }

  private void start() {
    try {
      Files.createDirectories(options.nodeDir);
      SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(options.hostKeyFile);
      keys.setAlgorithm(options.keyType.algorithm);
      if (options.keyType.size > 0) {
        keys.setKeySize(options.keyType.size);
      }
      List<KeyPair> pairs = keys.loadKeys(null);
      hostKey = pairs.get(0).getPublic();
      server.setKeyPairProvider(keys);
      server.setHost("127.0.0.1");
      server.setPort(options.port);

      List<NamedFactory<Signature>> signatures = withoutSha1Rsa(server.getSignatureFactories());
      server.setSignatureFactories(signatures);
      List<PublicKey> authorized = List.copyOf(options.authorized);
      server.setPublickeyAuthenticator(
          (user, key, session) -> {
            publicKeyChecks.incrementAndGet();
            return authorized.stream().anyMatch(known -> KeyUtils.compareKeys(known, key));
          });
      UserAuthPublicKeyFactory publicKeyAuth = new UserAuthPublicKeyFactory(signatures);
      if (options.password != null) {
        String password = options.password;
        server.setPasswordAuthenticator((user, given, session) -> password.equals(given));
        server.setUserAuthFactories(List.of(publicKeyAuth, UserAuthPasswordFactory.INSTANCE));
      } else {
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setUserAuthFactories(List.of(publicKeyAuth));
      }
      if (options.kex != null) {
        List<KeyExchangeFactory> factories = new ArrayList<>();
        for (String name : options.kex) {
          BuiltinDHFactories factory = BuiltinDHFactories.fromFactoryName(name);
          if (factory == null || !factory.isSupported()) {
            throw new IllegalArgumentException("the test server cannot offer " + name);
          }
          factories.add(ServerBuilder.DH2KEX.apply(factory));
        }
        server.setKeyExchangeFactories(factories);
      }
      if (options.ciphers != null) {
        List<NamedFactory<org.apache.sshd.common.cipher.Cipher>> ciphers = new ArrayList<>();
        for (String name : options.ciphers) {
          BuiltinCiphers cipher = BuiltinCiphers.fromFactoryName(name);
          if (cipher == null || !cipher.isSupported()) {
            throw new IllegalArgumentException("the test server cannot offer " + name);
          }
          ciphers.add(cipher);
        }
        server.setCipherFactories(ciphers);
      }
      server.setCommandFactory((channel, command) -> commandFor(command));
      if (options.maxSessions > 0) {
        CoreModuleProperties.MAX_CONCURRENT_CHANNELS.set(server, options.maxSessions);
      }
      server.setChannelFactories(List.of(new SessionChannels()));
      SftpSubsystemFactory sftp = new SftpSubsystemFactory();
      sftp.addSftpEventListener(new FullDisk());
      sftp.setErrorStatusDataHandler(new ErrorMessages());
      server.setSubsystemFactories(List.of(sftp));
      server.setFileSystemFactory(new NativeFileSystemFactory());
      server.addSessionListener(
          new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
              sessionsOpened.incrementAndGet();
              if (refusing) {
                // Accepted between the unbind and its effect: gone all the same.
                session.close(true);
              }
            }

            @Override
            public void sessionClosed(Session session) {
              processesBySession.remove(session);
            }

            @Override
            public void sessionEvent(Session session, Event event) {
              if (event == Event.Authenticated) {
                users.add(session.getUsername());
              } else if (event == Event.KexCompleted) {
                kexes.add(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
                ciphers.add(
                    session.getNegotiatedKexParameter(KexProposalOption.C2SENC)
                        + " "
                        + session.getNegotiatedKexParameter(KexProposalOption.S2CENC));
              }
            }
          });
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port it listens on (127.0.0.1). */
  public int port() {
    return server.getPort();
  }

  /** The directory commands run in ({@code HOME}, {@code NODE_DIR}). */
  public Path nodeDir() {
    return options.nodeDir;
  }

  /** The host's public key. */
  public PublicKey hostKey() {
    return hostKey;
  }

  /** The line to put in known_hosts: {@code [127.0.0.1]:PORT ssh-ed25519 AAAA...}. */
  public String knownHostsLine() {
    return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey);
  }

  /** The host key's fingerprint as OpenSSH prints it: {@code SHA256:base64-without-padding}. */
  public String hostKeyFingerprint() {
    String[] parts = PublicKeyEntry.toString(hostKey).split(" ");
    try {
      byte[] blob = Base64.getDecoder().decode(parts[1]);
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many exec requests (commands) the server started since the start. */
  public int commandsStarted() {
    return commandsStarted.get();
  }

  /** How many SSH sessions (connections) were opened since the start. */
  public int sessionsOpened() {
    return sessionsOpened.get();
  }

  /**
   * How many times the server looked up a login's public key among the authorized ones: once for a
   * login sent signed at once, twice when the client first asked whether the key would do.
   */
  public int publicKeyChecks() {
    return publicKeyChecks.get();
  }

  /** The user names of the successful logins, in order. */
  public List<String> users() {
    return List.copyOf(users);
  }

  /**
   * The key exchange algorithm of every completed key exchange, in order (one per session, more
   * when a session re-keyed), as the server negotiated it.
   */
  public List<String> negotiatedKex() {
    return List.copyOf(kexes);
  }

  /**
   * The ciphers of each key exchange so far, in order: {@code "CLIENT_TO_SERVER SERVER_TO_CLIENT"}.
   */
  public List<String> negotiatedCiphers() {
    return List.copyOf(ciphers);
  }

  /** The processes of commands still running (started by any session, not yet exited). */
  public int runningCommands() {
    return (int) processes.stream().filter(Process::isAlive).count();
  }

  /** How many sessions are open now. */
  public int activeSessions() {
    return server.getActiveSessions().size();
  }

  /**
   * Arms a fault: the request it names gets its action (see {@link Fault}). Faults are checked in
   * the order they were injected; the first that fires wins.
   */
  public void inject(Fault fault) {
    faults.add(new Armed(fault, new AtomicInteger()));
  }

  /** Disarms every fault (a full disk has space again); a node that went away stays away. */
  public void clearFaults() {
    faults.clear();
  }

  /** The faults that fired, in order, each as {@code ACTION: request}. */
  public List<String> faultsFired() {
    return List.copyOf(fired);
  }

  /** How many requests matched {@code fault} so far (whether it fired or not). */
  public int seen(Fault fault) {
    return faults.stream().filter(a -> a.fault().equals(fault)).mapToInt(a -> a.seen().get()).sum();
  }

  /** How many commands were stalled ({@link Fault.Action#STALL}) since the start. */
  public int stalledCommands() {
    return stalled.get();
  }

  /** Whether the node went away ({@link Fault.Action#REFUSE_AFTER}): its port refuses. */
  public boolean isRefusing() {
    return refusing;
  }

  /** Fault injection: refuses the next {@code count} channel open requests. */
  public void refuseChannels(int count) {
    channelsToRefuse.set(count);
  }

  /**
   * Fault injection: the next {@code count} exec requests are answered with a failure and run
   * nothing (as OpenSSH answers when it cannot start the command); the channel stays open.
   */
  public void refuseExecs(int count) {
    execsToRefuse.set(count);
  }

  /** Fault injection: closes every session at once, as a dropped network connection would. */
  public void dropAllSessions() {
    for (Session session : List.copyOf(server.getActiveSessions())) {
      session.close(true);
    }
  }

  /** Stops the server and kills the commands still running. Idempotent. */
  public void stop() {
    try {
      server.stop(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      processes.forEach(SshServerFixture::killTree);
      threads.shutdownNow();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static List<NamedFactory<Signature>> withoutSha1Rsa(
      List<NamedFactory<Signature>> factories) {
    List<NamedFactory<Signature>> kept = new ArrayList<>();
    for (NamedFactory<Signature> factory : factories) {
      // ssh-rsa and its certificate form: the two names that sign with SHA-1 RSA.
      if (!factory.getName().equals(BuiltinSignatures.rsa.getName())
          && !factory.getName().equals("ssh-rsa-cert-v01@openssh.com")) {
        kept.add(factory);
      }
    }
    return kept;
  }

  private static void killTree(Process process) {
    List<ProcessHandle> all = new ArrayList<>();
    process.descendants().forEach(all::add);
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "ssh-fixture-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Session channels, refused while {@link Builder#maxSessions(int)} commands of the session still
   * run, or when {@link #refuseChannels(int)} asked for it.
   */
  private final class SessionChannels implements ChannelFactory {
    @Override
    public String getName() {
      return ChannelSessionFactory.INSTANCE.getName();
    }

    @Override
    public Channel createChannel(Session session) throws IOException {
      if (channelsToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return null; // refused: SSH_MSG_CHANNEL_OPEN_FAILURE
      }
      Set<Process> running = processesBySession.get(session);
      if (running != null) {
        running.removeIf(process -> !process.isAlive());
      }
      if (options.maxSessions > 0 && running != null && running.size() >= options.maxSessions) {
        return null;
      }
      return new FaultyChannel(execsToRefuse);
    }
  }

  /** A fault and how many requests matched it. */
  private record Armed(Fault fault, AtomicInteger seen) {}

  /**
   * The action for a request, counting it against every armed fault that matches; null when none
   * fires. A full disk stays full: {@link Fault.Action#DISK_FULL} fires on its occurrence and every
   * matching request after it.
   */
  private Fault.Action faultFor(String request) {
    Fault.Action action = null;
    for (Armed armed : faults) {
      if (!armed.fault().matches(request)) {
        continue;
      }
      int n = armed.seen().incrementAndGet();
      boolean fires =
          n == armed.fault().occurrence()
              || (n > armed.fault().occurrence()
                  && armed.fault().action() == Fault.Action.DISK_FULL);
      if (fires && action == null) {
        action = armed.fault().action();
        fired.add(action + ": " + request);
      }
    }
    return action;
  }

  /** What only the script of hoist's command shell holds (its function's name). */
  private static final String COMMAND_SHELL = "__hoist_go";

  /** A command shell's frame line on stdout: {@code NONCE-INDEX 0 STATUS}. */
  private static final Pattern FRAME = Pattern.compile("hoist-frame-[0-9a-f]+-[0-9]+ 0 -?[0-9]+");

  private Command commandFor(String script) {
    commandsStarted.incrementAndGet();
    Fault.Action action = faultFor(script);
    if (action == null) {
      return new BashCommand(script, false);
    }
    return switch (action) {
      case DROP, STALL, DISK_FULL -> new FaultCommand(action, script);
      case DROP_AFTER, REFUSE_AFTER -> new BashCommand(script, true, action);
    };
  }

  /** Closes every connection abruptly and stops listening: connections are refused from now on. */
  private void goAway() {
    refusing = true;
    server.acceptor().unbind();
    for (Session session : List.copyOf(server.getActiveSessions())) {
      session.getIoSession().close(true);
    }
  }

  /** The server, with its acceptor reachable (to stop listening while sessions go on). */
  private static final class NodeServer extends SshServer {
    org.apache.sshd.common.io.IoAcceptor acceptor() {
      return acceptor;
    }
  }

  /**
   * A session channel that can drop its connection right after its reply to the exec request is
   * written: the client then knows the command was accepted (JSch waits for that reply) and sees
   * the connection die under it, without an exit status.
   */
  private static final class FaultyChannel extends ChannelSession {
    private final AtomicInteger execsToRefuse;
    private volatile boolean dropAfterReply;

    FaultyChannel(AtomicInteger execsToRefuse) {
      super(ChannelSession.DEFAULT_HANDLERS);
      this.execsToRefuse = execsToRefuse;
    }

    @Override
    protected RequestHandler.Result handleExec(String request, Buffer buffer, boolean wantReply)
        throws IOException {
      if (execsToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return RequestHandler.Result.ReplyFailure;
      }
      return super.handleExec(request, buffer, wantReply);
    }

    @Override
    protected IoWriteFuture sendResponse(
        Buffer buffer, String req, RequestHandler.Result result, boolean wantReply)
        throws IOException {
      IoWriteFuture written = super.sendResponse(buffer, req, result, wantReply);
      if (dropAfterReply) {
        dropAfterReply = false;
        if (written == null) {
          getSession().getIoSession().close(true);
        } else {
          written.addListener(f -> getSession().getIoSession().close(true));
        }
      }
      return written;
    }
  }

  /** A command that does not run: dropped, stalled or failing for a full disk. */
  private final class FaultCommand implements Command {
    private final Fault.Action action;
    private final String script;
    private OutputStream err;
    private ExitCallback exit;

    FaultCommand(Fault.Action action, String script) {
      this.action = action;
      this.script = script;
    }

    @Override
    public void setInputStream(InputStream in) {}

    @Override
    public void setOutputStream(OutputStream out) {}

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
      switch (action) {
        case DROP -> {
          if (channel instanceof FaultyChannel faulty) {
            faulty.dropAfterReply = true;
          } else {
            threads.execute(() -> channel.getSession().getIoSession().close(true));
          }
        }
        case STALL -> stalled.incrementAndGet();
        case DISK_FULL ->
            threads.execute(
                () -> {
                  try {
                    String word = script.strip().split("\\s+", 2)[0];
                    err.write(
                        (word + ": write error: No space left on device\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    err.flush();
                  } catch (IOException e) {
                    // the channel went away: the exit status cannot be sent either
                  }
                  exit.onExit(1);
                });
        default -> throw new IllegalStateException(action.toString());
      }
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }

  /** SFTP writes that fail like a full disk when a {@link Fault.Action#DISK_FULL} fault fires. */
  private final class FullDisk implements SftpEventListener {
    @Override
    public void writing(
        ServerSession session,
        String remoteHandle,
        FileHandle localHandle,
        long offset,
        byte[] data,
        int dataOffset,
        int dataLen)
        throws IOException {
      Fault.Action action = faultFor("sftp write " + localHandle.getFile());
      if (action == Fault.Action.DISK_FULL) {
        throw new NoSpaceLeft();
      }
    }
  }

  /** The failure of an SFTP write on a full disk. */
  private static final class NoSpaceLeft extends IOException {
    private static final long serialVersionUID = 1L;

    NoSpaceLeft() {
      super("No space left on device");
    }
  }

  /**
   * Sends the message of a full disk's failure in the SFTP status, as OpenSSH's sftp-server sends
   * the {@code strerror} of a failed write (MINA sends only a generic text by default).
   */
  private static final class ErrorMessages implements SftpErrorStatusDataHandler {
    @Override
    public String resolveErrorMessage(
        SftpSubsystemEnvironment sftp,
        int id,
        Throwable e,
        int subStatus,
        int cmd,
        Object... args) {
      return e instanceof NoSpaceLeft
          ? e.getMessage()
          : SftpErrorStatusDataHandler.super.resolveErrorMessage(sftp, id, e, subStatus, cmd, args);
    }
  }

  /**
   * One exec request, run by a real bash; killed when a signal arrives or the channel closes
   * (unless {@link Builder#killOnClose(boolean)} said otherwise).
   */
  private final class BashCommand implements Command {
    private final String script;
    private final boolean dropAtEnd;
    private final Fault.Action atEnd;
    private volatile ChannelSession channel;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;
    private volatile Fault.Action atFrame;

    BashCommand(String script, boolean dropAtEnd) {
      this(script, dropAtEnd, null);
    }

    BashCommand(String script, boolean dropAtEnd, Fault.Action atEnd) {
      this.script = script;
      this.dropAtEnd = dropAtEnd;
      this.atEnd = atEnd;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
      this.channel = channel;
      ProcessBuilder builder =
          new ProcessBuilder(options.loginShell, "-c", script).directory(options.nodeDir.toFile());
      builder.environment().put("HOME", options.nodeDir.toString());
      builder.environment().put("NODE_DIR", options.nodeDir.toString());
      builder.environment().putAll(options.environment);
      Process started = builder.start();
      process = started;
      processes.add(started);
      processesBySession
          .computeIfAbsent(channel.getSession(), session -> ConcurrentHashMap.newKeySet())
          .add(started);
      if (options.killOnClose) {
        env.addSignalListener((ch, signal) -> killTree(started));
      }
      boolean commandShell = script.contains(COMMAND_SHELL);
      if (commandShell) {
        threads.execute(() -> feedShell(in, started.getOutputStream()));
      } else {
        threads.execute(() -> copy(in, started.getOutputStream(), true));
      }
      var stdout =
          threads.submit(
              () -> {
                if (commandShell) {
                  copyShellOutput(started.getInputStream(), out);
                } else {
                  copy(started.getInputStream(), out, false);
                }
              });
      var stderr = threads.submit(() -> copy(started.getErrorStream(), err, false));
      threads.execute(
          () -> {
            try {
              int code = started.waitFor();
              stdout.get();
              stderr.get();
              if (dropAtEnd) {
                // The effect happened; the exit status never reaches the client.
                if (atEnd == Fault.Action.REFUSE_AFTER) {
                  goAway();
                } else {
                  this.channel.getSession().getIoSession().close(true);
                }
                return;
              }
              exit.onExit(code);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
              exit.onExit(255, String.valueOf(e.getCause()));
            } finally {
              processes.remove(started);
            }
          });
    }

    @Override
    public void destroy(ChannelSession channel) {
      Process running = process;
      if (running != null && options.killOnClose) {
        killTree(running);
      }
    }

    /**
     * Feeds hoist's command shell its lines, one command each, injecting the faults that match a
     * line as they would an exec request of the same command: {@code DROP} closes the connection
     * instead of passing the line on, {@code STALL} swallows it (the command never starts nor
     * ends), {@code DISK_FULL} passes on a command that fails as on a full disk, {@code DROP_AFTER}
     * and {@code REFUSE_AFTER} let the command run and close the connection where its end (its
     * frame line) would reach the client.
     */
    private void feedShell(InputStream from, OutputStream to) {
      try (to) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = from.read()) >= 0) {
          line.write(c);
          if (c != '\n') {
            continue;
          }
          String text = line.toString(StandardCharsets.UTF_8);
          line.reset();
          Fault.Action action = faultFor(text);
          if (action == Fault.Action.DROP) {
            channel.getSession().getIoSession().close(true);
            return;
          } else if (action == Fault.Action.STALL) {
            stalled.incrementAndGet();
            continue;
          } else if (action == Fault.Action.DISK_FULL) {
            text = diskFull(text);
          } else if (action != null) {
            atFrame = action;
          }
          to.write(text.getBytes(StandardCharsets.UTF_8));
          to.flush();
        }
      } catch (IOException e) {
        // the channel or the process went away: nothing more to feed
      }
    }

    /** The shell's line for a command, with the command replaced by a full disk's failure. */
    private static String diskFull(String line) {
      int at = line.indexOf("__hoist_c=$'");
      String command = line.substring(at + "__hoist_c=$'".length());
      String word = command.strip().split("[\\s\\\\]+", 2)[0];
      return line.substring(0, at)
          + "__hoist_c='echo \""
          + word
          + ": write error: No space left on device\" >&2; exit 1'; __hoist_go\n";
    }

    /**
     * Copies the command shell's stdout; while a {@code DROP_AFTER} or {@code REFUSE_AFTER} fault
     * is armed, line by line, so that the command's frame line can be held back and the connection
     * closed in its place.
     */
    private void copyShellOutput(InputStream from, OutputStream to) {
      byte[] buffer = new byte[8192];
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      try {
        int n;
        while ((n = from.read(buffer)) >= 0) {
          if (atFrame == null && line.size() == 0) {
            to.write(buffer, 0, n);
            to.flush();
            continue;
          }
          for (int i = 0; i < n; i++) {
            line.write(buffer[i]);
            if (buffer[i] != '\n') {
              continue;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            Fault.Action action = atFrame;
            if (action != null && FRAME.matcher(text.strip()).matches()) {
              // The command ended on the node; its exit status never reaches the client.
              if (action == Fault.Action.REFUSE_AFTER) {
                goAway();
              } else {
                channel.getSession().getIoSession().close(true);
              }
              return;
            }
            to.write(text.getBytes(StandardCharsets.UTF_8));
          }
          to.flush();
        }
      } catch (IOException e) {
        // the channel or the process went away: nothing more to copy
      }
    }

    private void copy(InputStream from, OutputStream to, boolean closeTarget) {
      byte[] buffer = new byte[8192];
      try {
        int n;
        while ((n = from.read(buffer)) >= 0) {
          to.write(buffer, 0, n);
          to.flush();
        }
      } catch (IOException e) {
        // the channel or the process went away: nothing more to copy
      } finally {
        if (closeTarget) {
          try {
            to.close();
          } catch (IOException e) {
            // already closed
          }
        }
      }
    }
  }
}
