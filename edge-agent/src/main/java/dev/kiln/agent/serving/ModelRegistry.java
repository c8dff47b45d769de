package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
      synchronized (this) {
        LoadedModel m = loaded.get(key);
        if (m != null && m.acquire()) {
          return new Lease(m);
        }
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
      try {
        LoadedModel m = loader.get();
        admit(key, m);
        mine.complete(m);
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      } finally {
        loading.remove(key);
      }
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
