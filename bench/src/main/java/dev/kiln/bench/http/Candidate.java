package dev.kiln.bench.http;

/** The servers compared, in the order their columns are printed; {@link #JDK} is the baseline. */
enum Candidate {
  JDK("JDK HttpServer (today)"),
  JDK_DEADLINE("JDK HttpServer, maxReqTime 5 s"),
  JETTY("Jetty 12.1 core"),
  UNDERTOW("Undertow 2.4 core"),
  NETTY("Netty 4.1 codec");

  private final String label;

  Candidate(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  BenchServer start(int threads) throws Exception {
    return switch (this) {
      case JDK -> new JdkServer(threads, false);
      case JDK_DEADLINE -> new JdkServer(threads, true);
      case JETTY -> new JettyServer(threads);
      case UNDERTOW -> new UndertowServer(threads);
      case NETTY -> new NettyServer(threads);
    };
  }
}
