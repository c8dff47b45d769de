package dev.kiln.bench.http;

import java.io.IOException;
import org.slf4j.LoggerFactory;

/**
 * The child JVM of one candidate: {@code ServerMain CANDIDATE THREADS} starts it on a free loopback
 * port, prints {@code port N}, and stops when its standard input closes (the parent's way to say
 * goodbye, which also ends it if the parent dies).
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws Exception {
    Candidate candidate = Candidate.valueOf(args[0]);
    int threads = Integer.parseInt(args[1]);
    // The agent logs through SLF4J whatever its server; Jetty, Undertow and Netty log through it
    // too, the JDK server does not. Started here for all, so RSS and start time compare servers.
    LoggerFactory.getLogger(ServerMain.class).info("starting {}", candidate.label());
    try (BenchServer server = candidate.start(threads)) {
      System.out.println("port " + server.port());
      System.out.flush();
      drain();
    }
    // Some libraries leave non-daemon threads behind; the parent waits for this process to end.
    System.exit(0);
  }

  private static void drain() throws IOException {
    while (System.in.read() >= 0) {
      // nothing: the parent only ever closes the stream
    }
  }
}
