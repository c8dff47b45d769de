package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.ModelRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded model versions under a memory budget. Memory is estimated, not measured: payload bytes
 * times {@code models.memoryFactor}, because engines allocate natively where the JVM cannot see.
 * When a load would go over budget, the least recently used versions are unloaded first; a later
 * request reloads them on demand. Loads run outside the registry lock (one per key at a time), so a
 * slow load never stalls requests to models already loaded.
 */
public final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  private final long budgetBytes;
  private final LinkedHashMap<String, LoadedModel> loaded = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, CompletableFuture<LoadedModel>> loading = new ConcurrentHashMap<>();
  private long usedBytes;
  private long evictions;

  public ModelRegistry(long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  /** A held model; close it to let the registry unload it. */
  public record Lease(LoadedModel model) implements AutoCloseable {
    @Override
    public void close() {
      model.release();
    }
  }

  public static String key(String name, String version) {
    return name + "@" + version;
  }

  /** Returns the loaded version or loads it with {@code loader}, evicting LRU versions to fit. */
  public Lease acquire(String key, Supplier<LoadedModel> loader) {
    while (true) {
      Lease held = leaseLoaded(key);
      if (held != null) {
        return held;
      }
      CompletableFuture<LoadedModel> mine = new CompletableFuture<>();
      CompletableFuture<LoadedModel> other = loading.putIfAbsent(key, mine);
      if (other != null) {
        try {
          other.join();
        } catch (CompletionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        continue;
      }
      load(key, loader, mine);
      try {
        mine.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }

  /**
   * As {@link #acquire(String, Supplier)}, but a load runs on {@code background} and the caller
   * waits for it at most {@code wait}: a scaled-to-zero model's cold start. The load goes on after
   * a timeout, so a retry finds the model loaded.
   *
   * @throws ColdStartTimeout when the load takes longer than {@code wait}
   */
  public Lease acquire(
      String key, Supplier<LoadedModel> loader, Duration wait, Executor background) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Lease held = leaseLoaded(key);
      if (held != null) {
        return held;
      }
      CompletableFuture<LoadedModel> mine = new CompletableFuture<>();
      CompletableFuture<LoadedModel> other = loading.putIfAbsent(key, mine);
      CompletableFuture<LoadedModel> pending = other != null ? other : mine;
      if (other == null) {
        try {
          background.execute(() -> load(key, loader, mine));
        } catch (RejectedExecutionException e) {
          loading.remove(key);
          mine.completeExceptionally(
              new AgentException(AgentErrorCode.SHUTTING_DOWN, "the agent is stopping"));
        }
      }
      try {
        pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new ColdStartTimeout(key, wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AgentException(
            AgentErrorCode.SHUTTING_DOWN, "interrupted while " + key + " loads");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r
            ? r
            : new AgentException(AgentErrorCode.ENGINE_ERROR, e.getCause().getMessage());
      }
    }
  }

  /** A request waited longer than its model's cold-start timeout: 503 with Retry-After. */
  public static final class ColdStartTimeout extends AgentException {
    /**
     * The load goes on, and a retry waits for it again (up to the timeout), so the client may come
     * back at once.
     */
    public static final long RETRY_AFTER_SECONDS = 1;

    ColdStartTimeout(String key, Duration waited) {
      super(
          AgentErrorCode.MODEL_NOT_READY,
          key
              + " is loading after scaling to zero and did not finish within "
              + waited.toMillis() / 1000.0
              + " s (autoscaling coldStartTimeoutS); retry shortly");
    }
  }

  private synchronized Lease leaseLoaded(String key) {
    LoadedModel m = loaded.get(key);
    return m != null && m.acquire() ? new Lease(m) : null;
  }

  private void load(String key, Supplier<LoadedModel> loader, CompletableFuture<LoadedModel> mine) {
    try {
      LoadedModel m = loader.get();
      admit(key, m);
      mine.complete(m);
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
    } finally {
      loading.remove(key);
    }
  }

  /**
   * Counts {@code bytes} more for the version loaded under {@code key} whose runner is {@code
   * owner}: an added replica. Never evicts another version to make room.
   *
   * @return false when that would go over the budget, or {@code owner} is no longer loaded
   */
  public synchronized boolean reserve(String key, ModelRunner owner, long bytes) {
    LoadedModel m = loaded.get(key);
    if (m == null || m.runner() != owner || usedBytes + bytes > budgetBytes) {
      return false;
    }
    usedBytes += bytes;
    m.addEstimatedBytes(bytes);
    return true;
  }

  /** Gives back what {@link #reserve} counted; nothing when {@code owner} was unloaded since. */
  public synchronized void unreserve(String key, ModelRunner owner, long bytes) {
    LoadedModel m = loaded.get(key);
    if (m != null && m.runner() == owner) {
      usedBytes -= bytes;
      m.addEstimatedBytes(-bytes);
    }
  }

  private void admit(String key, LoadedModel m) {
    List<LoadedModel> victims = new ArrayList<>();
    synchronized (this) {
      if (m.estimatedBytes() > budgetBytes) {
        m.evict();
        throw new AgentException(
            AgentErrorCode.MEMORY_BUDGET_EXCEEDED,
            key
                + " needs an estimated "
                + m.estimatedBytes() / (1024 * 1024)
                + " MiB, more than models.memoryBudgetMb allows; raise the budget");
      }
      Iterator<Map.Entry<String, LoadedModel>> eldest = loaded.entrySet().iterator();
      while (usedBytes + m.estimatedBytes() > budgetBytes && eldest.hasNext()) {
        LoadedModel victim = eldest.next().getValue();
        eldest.remove();
        usedBytes -= victim.estimatedBytes();
        evictions++;
        victims.add(victim);
      }
      LoadedModel previous = loaded.put(key, m);
      if (previous != null) {
        usedBytes -= previous.estimatedBytes();
        victims.add(previous);
      }
      usedBytes += m.estimatedBytes();
    }
    for (LoadedModel victim : victims) {
      LOG.info("unloading {}@{} to stay within the memory budget", victim.name(), victim.version());
      victim.evict();
    }
  }

  /** Unloads one version now (it closes once in-flight requests finish). */
  public void unload(String key) {
    LoadedModel m;
    synchronized (this) {
      m = loaded.remove(key);
      if (m != null) {
        usedBytes -= m.estimatedBytes();
      }
    }
    if (m != null) {
      m.evict();
    }
  }

  public synchronized boolean isLoaded(String key) {
    return loaded.containsKey(key);
  }

  public synchronized List<String> loadedKeys() {
    return List.copyOf(loaded.keySet());
  }

  public synchronized long usedBytes() {
    return usedBytes;
  }

  public long budgetBytes() {
    return budgetBytes;
  }

  public synchronized long evictions() {
    return evictions;
  }

  @Override
  public void close() {
    for (String key : loadedKeys()) {
      unload(key);
    }
  }
}
