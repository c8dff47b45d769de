package dev.kiln.fleet.simulate;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one simulated device's work one task at a time, in order, on a pool that many devices share:
 * the device's state needs no locks, as if it had a thread of its own, without the thread. A device
 * hands back its pool thread after {@link #TURN} tasks, so one busy device (a download) does not
 * starve the others.
 */
final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  static final int TURN = 16;

  private final Executor pool;
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private boolean scheduled;

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    schedule();
  }

  private void schedule() {
    try {
      pool.execute(this::runTurn);
    } catch (RejectedExecutionException e) {
      // The pool is shut down: the simulator is closing and nothing is left to run.
      synchronized (this) {
        tasks.clear();
        scheduled = false;
      }
    }
  }

  private void runTurn() {
    for (int i = 0; i < TURN; i++) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
        if (next == null) {
          scheduled = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        LOG.warn("simulated device task failed", e);
      }
    }
    schedule();
  }
}
