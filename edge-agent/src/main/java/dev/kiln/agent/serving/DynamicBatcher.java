package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Joins concurrent requests to one model into a single engine call: inputs are concatenated along
 * dim 0 and the outputs split back by each request's row count. Used only for models whose every
 * input and output has a dynamic dim 0 ({@link TensorBatching#batchable}).
 *
 * <p>It never makes a request wait for company. While one of the model's {@code slots} (its
 * predictors) is free and nobody is queued, a request runs at once on its caller's thread, exactly
 * as without batching. Only requests that arrive while every slot is busy queue up; when a slot
 * frees, a worker takes everything queued (up to {@code maxBatchSize} rows, in arrival order, as
 * long as the other dims match) as one batch. So batches form from the load itself: a lone client
 * always runs alone, and the busier the engine, the bigger the batches.
 */
final class DynamicBatcher implements AutoCloseable {
  private final ModelRunner runner;
  private final int maxBatchSize;
  private final int slots;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final List<Thread> workers = new ArrayList<>();
  private int busy;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;

  private record Pending(
      Map<String, Tensor> inputs, long rows, CompletableFuture<Map<String, Tensor>> result) {}

  /**
   * @param slots engine calls that may run the model at once (its predictors)
   */
  DynamicBatcher(String name, ModelRunner runner, int maxBatchSize, int slots) {
    this.runner = runner;
    this.maxBatchSize = maxBatchSize;
    this.slots = Math.max(1, slots);
    for (int i = 0; i < this.slots; i++) {
      Thread worker = new Thread(this::loop, "batcher-" + name + "-" + i);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  Map<String, Tensor> submit(Map<String, Tensor> inputs) {
    if (closed) {
      throw new AgentException(AgentErrorCode.MODEL_NOT_READY, "model was unloaded; retry");
    }
    inFlight.incrementAndGet();
    try {
      return runOrQueue(inputs);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Requests submitted and not yet answered: queued, running alone or in a batch. What autoscaling
   * counts for a batched model (see {@code ReplicaSet.countRequestsWith}).
   */
  int inFlight() {
    return inFlight.get();
  }

  private Map<String, Tensor> runOrQueue(Map<String, Tensor> inputs) {
    Pending queued = null;
    lock.lock();
    try {
      if (busy < slots && queue.isEmpty()) {
        busy++;
      } else {
        queued = new Pending(inputs, TensorBatching.rows(inputs), new CompletableFuture<>());
        queue.add(queued);
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    if (queued == null) {
      try {
        return runner.run(inputs);
      } finally {
        release();
      }
    }
    return await(queued);
  }

  private static Map<String, Tensor> await(Pending p) {
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
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private void release() {
    lock.lock();
    try {
      busy--;
      // Wake a worker only when there is work: waking idle workers after every lone request
      // cost a lone client about 0.1 ms (two context switches) on 2 cores.
      if (!queue.isEmpty()) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    while (!closed) {
      List<Pending> batch;
      lock.lock();
      try {
        while (!closed && (queue.isEmpty() || busy >= slots)) {
          changed.await();
        }
        if (closed) {
          break;
        }
        busy++;
        batch = takeBatch();
        if (!queue.isEmpty() && busy < slots) {
          changed.signal(); // what this batch left (other shapes) can use another free slot
        }
      } catch (InterruptedException e) {
        break;
      } finally {
        lock.unlock();
      }
      try {
        runBatch(batch);
      } finally {
        release();
      }
    }
    failAll();
  }

  /** The head of the queue and whatever follows it that fits; caller holds the lock. */
  private List<Pending> takeBatch() {
    Pending first = queue.poll();
    List<Pending> batch = new ArrayList<>();
    batch.add(first);
    long rows = first.rows();
    for (Pending next = queue.peek();
        next != null
            && rows + next.rows() <= maxBatchSize
            && TensorBatching.compatible(first.inputs(), next.inputs());
        next = queue.peek()) {
      batch.add(queue.poll());
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
    lock.lock();
    try {
      left.addAll(queue);
      queue.clear();
    } finally {
      lock.unlock();
    }
    AgentException gone =
        new AgentException(AgentErrorCode.MODEL_NOT_READY, "model was unloaded; retry");
    left.forEach(p -> p.result().completeExceptionally(gone));
  }

  @Override
  public void close() {
    closed = true;
    workers.forEach(Thread::interrupt);
  }
}
