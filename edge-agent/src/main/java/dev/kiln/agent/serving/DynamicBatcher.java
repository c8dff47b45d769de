package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Joins concurrent requests to one model into a single engine call: inputs are concatenated along
 * dim 0 and the outputs split back by each request's row count. Used only for models whose every
 * input and output has a dynamic dim 0 ({@link TensorBatching#batchable}). A request waits at most
 * {@code maxQueueDelayMs} for company; requests whose other dims differ run in separate batches.
 */
final class DynamicBatcher implements AutoCloseable {
  private final ModelRunner runner;
  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private volatile boolean closed;
  private Pending carried;

  private record Pending(
      Map<String, Tensor> inputs, long rows, CompletableFuture<Map<String, Tensor>> result) {}

  DynamicBatcher(String name, ModelRunner runner, int maxBatchSize, int maxQueueDelayMs) {
    this.runner = runner;
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxQueueDelayMs);
    this.worker = new Thread(this::loop, "batcher-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  Map<String, Tensor> submit(Map<String, Tensor> inputs) {
    if (closed) {
      throw new AgentException(AgentErrorCode.MODEL_NOT_READY, "model was unloaded; retry");
    }
    Pending p = new Pending(inputs, TensorBatching.rows(inputs), new CompletableFuture<>());
    queue.add(p);
    try {
      return p.result().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(AgentErrorCode.SHUTTING_DOWN, "interrupted while batching");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new AgentException(AgentErrorCode.ENGINE_ERROR, e.getCause().getMessage());
    }
  }

  /** Requests waiting for the engine (for tests and metrics). */
  int queued() {
    return queue.size();
  }

  private void loop() {
    while (!closed) {
      try {
        List<Pending> batch = nextBatch();
        if (!batch.isEmpty()) {
          runBatch(batch);
        }
      } catch (InterruptedException e) {
        break;
      }
    }
    failAll();
  }

  private List<Pending> nextBatch() throws InterruptedException {
    Pending first = carried != null ? carried : queue.take();
    carried = null;
    List<Pending> batch = new ArrayList<>();
    batch.add(first);
    long rows = first.rows();
    long deadline = System.nanoTime() + maxDelayNanos;
    while (rows < maxBatchSize) {
      long wait = deadline - System.nanoTime();
      Pending next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
      if (next == null) {
        break;
      }
      if (rows + next.rows() > maxBatchSize
          || !TensorBatching.compatible(first.inputs(), next.inputs())) {
        carried = next;
        break;
      }
      batch.add(next);
      rows += next.rows();
    }
    return batch;
  }

  private void runBatch(List<Pending> batch) {
    if (batch.size() == 1) {
      complete(batch.get(0));
      return;
    }
    List<Map<String, Tensor>> inputs = batch.stream().map(Pending::inputs).toList();
    List<Map<String, Tensor>> outputs;
    try {
      Map<String, Tensor> joined = TensorBatching.concat(inputs);
      long[] rows = batch.stream().mapToLong(Pending::rows).toArray();
      outputs = TensorBatching.split(runner.run(joined), rows);
    } catch (RuntimeException e) {
      // One bad member must not fail the others: fall back to running each alone.
      batch.forEach(this::complete);
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).result().complete(outputs.get(i));
    }
  }

  private void complete(Pending p) {
    try {
      p.result().complete(runner.run(p.inputs()));
    } catch (RuntimeException e) {
      p.result().completeExceptionally(e);
    }
  }

  private void failAll() {
    List<Pending> left = new ArrayList<>();
    if (carried != null) {
      left.add(carried);
    }
    queue.drainTo(left);
    AgentException gone =
        new AgentException(AgentErrorCode.MODEL_NOT_READY, "model was unloaded; retry");
    left.forEach(p -> p.result().completeExceptionally(gone));
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
  }
}
