package dev.kiln.bench.agent;

import java.io.IOException;

/** The bare-JVM baseline of the footprint benchmark: reaches main, says so, waits for SIGTERM. */
public final class IdleJvm {
  private IdleJvm() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
