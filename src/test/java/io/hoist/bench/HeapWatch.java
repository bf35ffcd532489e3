package io.hoist.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The heap's peaks while it watches, from the JVM's garbage-collection notifications: the largest
 * heap used right after a collection (what was still reachable then, plus old garbage a young
 * collection did not look at: an upper bound of the live set) and the largest heap committed. Read
 * through {@code javax.management} only (the notification's open data), not {@code com.sun.*}.
 */
final class HeapWatch implements AutoCloseable {

  /** The notification type of {@code com.sun.management.GarbageCollectionNotificationInfo}. */
  private static final String GC = "com.sun.management.gc.notification";

  private final Set<String> heapPools = new HashSet<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::collected;
  private long usedAfterGc;
  private long committed;
  private int collections;

  HeapWatch() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** The largest heap in use right after a collection, in bytes. */
  synchronized long usedAfterGc() {
    return usedAfterGc;
  }

  /** The largest heap committed, in bytes (at collections and now). */
  synchronized long committed() {
    return Math.max(
        committed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
  }

  /** How many collections ended while watching. */
  synchronized int collections() {
    return collections;
  }

  private synchronized void collected(Notification notification, Object handback) {
    if (!GC.equals(notification.getType())
        || !(notification.getUserData() instanceof CompositeData data)) {
      return;
    }
    CompositeData info = (CompositeData) data.get("gcInfo");
    TabularData after = (TabularData) info.get("memoryUsageAfterGc");
    long used = 0;
    long held = 0;
    for (Object row : after.values()) {
      CompositeData entry = (CompositeData) row;
      if (heapPools.contains((String) entry.get("key"))) {
        MemoryUsage usage = MemoryUsage.from((CompositeData) entry.get("value"));
        used += usage.getUsed();
        held += usage.getCommitted();
      }
    }
    usedAfterGc = Math.max(usedAfterGc, used);
    committed = Math.max(committed, held);
    collections++;
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException e) {
        // Already gone.
      }
    }
  }
}
