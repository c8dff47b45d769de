package dev.kiln.cloud.ingest;

import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.TransportConfig;

/**
 * How an ingestor connects. Give each ingestor its own stable client id: its persistent session
 * (clean start false) keeps capture queued at the broker while it restarts.
 *
 * @param shareGroup ingestors in one group split capture between them (MQTT 5 shared subscription);
 *     status and heartbeats go to every ingestor, so each registry is complete
 */
public record IngestConfig(TransportConfig transport, String shareGroup) {
  public static IngestConfig of(TransportConfig transport) {
    return new IngestConfig(transport, Topics.INGEST_GROUP);
  }
}
