package dev.kiln.agent.serving.autoscale;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The replicas of one loaded model version, served as one {@link ModelRunner}. A replica is an
 * engine session of its own that runs one request at a time; a request takes an idle replica, or
 * waits for one. Replicas are added and removed while requests run:
 *
 * <ul>
 *   <li>{@link #add} puts a replica the caller loaded (off the request path) into service, and
 *       wakes a waiting request.
 *   <li>{@link #removeOne} takes an idle replica out and closes it now; when every replica is busy,
 *       it takes one out of service and closes it when its request finishes. No request fails
 *       because of it, and at least one replica always stays.
 *   <li>{@link #close} (the model unloads, once no request holds it) closes every replica.
 * </ul>
 *
 * It counts what the scaler and the status need: requests in flight (waiting or running), requests
 * started, and the most engine calls that ran at once.
 */
public final class ReplicaSet implements ModelRunner {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idleReplica = lock.newCondition();
  private final ArrayDeque<ModelRunner> idle = new ArrayDeque<>();
  private final List<ModelRunner> serving = new ArrayList<>();
  private final List<ModelRunner> draining = new ArrayList<>();
  private final Consumer<ReplicaSet> onDrainedClose;
  private int inFlight;
  private long requests;
  private int engineCalls;
  private int peakEngineCalls;
  private boolean closed;
  private volatile IntSupplier requestsInFlight;

  /**
   * @param first the replica loaded with the model
   * @param onDrainedClose runs after each replica that {@link #removeOne} took out has closed (it
   *     returns that replica's memory to the budget)
   */
  public ReplicaSet(ModelRunner first, Consumer<ReplicaSet> onDrainedClose) {
    this.onDrainedClose = onDrainedClose;
    serving.add(first);
    idle.add(first);
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    ModelRunner replica;
    lock.lock();
    try {
      if (closed) {
        throw unloaded();
      }
      inFlight++;
      requests++;
      try {
        while (idle.isEmpty() && !closed) {
          idleReplica.await();
        }
      } catch (InterruptedException e) {
        inFlight--;
        Thread.currentThread().interrupt();
        throw new AgentException(AgentErrorCode.SHUTTING_DOWN, "interrupted while queued");
      }
      if (closed) {
        inFlight--;
        throw unloaded();
      }
      replica = idle.pop();
      engineCalls++;
      peakEngineCalls = Math.max(peakEngineCalls, engineCalls);
    } finally {
      lock.unlock();
    }
    try {
      return replica.run(inputs);
    } finally {
      finished(replica);
    }
  }

  private void finished(ModelRunner replica) {
    boolean drained;
    boolean unloaded = false;
    lock.lock();
    try {
      engineCalls--;
      inFlight--;
      drained = draining.remove(replica);
      if (!drained && closed) {
        serving.remove(replica);
        unloaded = true;
      } else if (!drained) {
        idle.push(replica);
        idleReplica.signal();
      }
    } finally {
      lock.unlock();
    }
    if (drained || unloaded) {
      replica.close();
    }
    if (drained) {
      onDrainedClose.accept(this);
    }
  }

  /**
   * Puts a loaded replica into service.
   *
   * @return false when the set was closed meanwhile: the caller closes the replica
   */
  public boolean add(ModelRunner replica) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      serving.add(replica);
      idle.push(replica);
      idleReplica.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes one replica out of service; it closes now if idle, else when its request finishes.
   *
   * @return false when only one replica serves (none is removed)
   */
  public boolean removeOne() {
    ModelRunner closeNow = null;
    lock.lock();
    try {
      if (closed || serving.size() <= 1) {
        return false;
      }
      if (!idle.isEmpty()) {
        // The replica idle longest: the most recently used ones are warmest in the caches.
        closeNow = idle.removeLast();
        serving.remove(closeNow);
      } else {
        ModelRunner busy = serving.remove(serving.size() - 1);
        draining.add(busy);
      }
    } finally {
      lock.unlock();
    }
    if (closeNow != null) {
      closeNow.close();
      onDrainedClose.accept(this);
    }
    return true;
  }

  /** Replicas in service (not counting ones draining after a scale-in). */
  public int replicas() {
    lock.lock();
    try {
      return serving.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts the model's requests from {@code requestsInFlight} from now on, instead of the engine
   * calls this set sees. With dynamic batching in front, requests wait in the batcher's queue,
   * where this set cannot see them, and one call carries many requests: counted here, a burst of 12
   * clients looked like 1.1 calls in flight on one replica and 0.2 on two, and the scaler flapped
   * between 1 and 2 replicas instead of following the requests.
   */
  public void countRequestsWith(IntSupplier requestsInFlight) {
    this.requestsInFlight = requestsInFlight;
  }

  /**
   * Requests in the model now: waiting for a replica or running on one (with dynamic batching, also
   * those waiting in the batcher's queue; see {@link #countRequestsWith}).
   */
  public int inFlight() {
    IntSupplier upstream = requestsInFlight;
    if (upstream != null) {
      return upstream.getAsInt();
    }
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Engine calls started since the model loaded: one per request, or one per batch when dynamic
   * batching joins requests before they reach the replicas.
   */
  public long requests() {
    lock.lock();
    try {
      return requests;
    } finally {
      lock.unlock();
    }
  }

  /** The most engine calls that ran at the same time. */
  public int peakEngineCalls() {
    lock.lock();
    try {
      return peakEngineCalls;
    } finally {
      lock.unlock();
    }
  }

  public boolean closed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private static AgentException unloaded() {
    return new AgentException(AgentErrorCode.MODEL_NOT_READY, "model was unloaded; retry");
  }

  /**
   * Closes every replica. The model registry calls it only once no request holds the model, so
   * every replica is idle; one still running (a caller that ran without a lease) closes when done.
   */
  @Override
  public void close() {
    List<ModelRunner> now = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      now.addAll(idle);
      idle.clear();
      serving.removeAll(now);
      idleReplica.signalAll();
    } finally {
      lock.unlock();
    }
    now.forEach(ModelRunner::close);
  }
}
