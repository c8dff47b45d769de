package dev.kiln.agent.serving;

import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.Map;

/**
 * A model version in memory. Requests hold it through {@link #acquire}/{@link #release}; an evicted
 * model closes its engine only when the last holder releases it, so LRU eviction never pulls a
 * session from under a running request.
 */
public final class LoadedModel {
  private final String name;
  private final String version;
  private final Manifest.IoSignature signature;
  private final ModelRunner runner;
  private final DynamicBatcher batcher;
  private long estimatedBytes; // grows and shrinks with replicas, under the registry's lock
  private final long loadMillis;
  private int users;
  private boolean evicted;
  private boolean closed;

  LoadedModel(
      String name,
      String version,
      Manifest.IoSignature signature,
      ModelRunner runner,
      DynamicBatcher batcher,
      long estimatedBytes,
      long loadMillis) {
    this.name = name;
    this.version = version;
    this.signature = signature;
    this.runner = runner;
    this.batcher = batcher;
    this.estimatedBytes = estimatedBytes;
    this.loadMillis = loadMillis;
  }

  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    return batcher != null ? batcher.submit(inputs) : runner.run(inputs);
  }

  synchronized boolean acquire() {
    if (evicted) {
      return false;
    }
    users++;
    return true;
  }

  void release() {
    boolean close;
    synchronized (this) {
      users--;
      close = evicted && users == 0 && !closed;
      closed |= close;
    }
    if (close) {
      closeNow();
    }
  }

  void evict() {
    boolean close;
    synchronized (this) {
      evicted = true;
      close = users == 0 && !closed;
      closed |= close;
    }
    if (close) {
      closeNow();
    }
  }

  private void closeNow() {
    if (batcher != null) {
      batcher.close();
    }
    runner.close();
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public Manifest.IoSignature signature() {
    return signature;
  }

  public long estimatedBytes() {
    return estimatedBytes;
  }

  /** Called by {@link ModelRegistry} only, under its lock. */
  void addEstimatedBytes(long delta) {
    estimatedBytes += delta;
  }

  ModelRunner runner() {
    return runner;
  }

  public long loadMillis() {
    return loadMillis;
  }
}
