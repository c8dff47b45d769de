package dev.kiln.cloud.service.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.postgres.ReconnectingConnection;
import dev.kiln.json.JsonMappers;
import dev.kiln.schema.SchemaSeries;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inbox as the table {@code service_inbox} on the PostgreSQL that service replicas share (the
 * {@link Inbox} contract): any replica's API appends, the leader's worker completes. Each call is
 * one statement in autocommit, so it is durable when it returns; the arrival order is a sequence,
 * so appends from several replicas are ordered without a lock. Table versioned as schema series
 * {@code inbox} ({@code V1__inbox.sql}). One connection, reopened after an error; calls are
 * serialized.
 */
public final class PostgresInbox implements Inbox {
  private static final ObjectMapper JSON = JsonMappers.tolerant();
  private static final SchemaSeries SCHEMA =
      SchemaSeries.of("inbox", PostgresInbox.class, "V1__inbox.sql").adoptingPostgresComponent();

  private final ReconnectingConnection connection;

  private PostgresInbox(PostgresUrl url) {
    this.connection =
        new ReconnectingConnection(
            url,
            e -> new InboxException("inbox on " + url + ": " + e.getMessage(), e),
            List.of(SCHEMA));
  }

  public static PostgresInbox open(PostgresUrl url) {
    PostgresInbox inbox = new PostgresInbox(url);
    inbox.connection.open(); // connect and migrate now: a bad URL fails at start
    return inbox;
  }

  @Override
  public synchronized InboxRequest append(InboxRequest request) {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO service_inbox (request_id, state, body) VALUES (?, ?, ?)"
                      + " ON CONFLICT (request_id) DO NOTHING RETURNING seq")) {
            p.setString(1, request.requestId());
            p.setString(2, request.state().name());
            p.setString(3, json(request));
            try (ResultSet r = p.executeQuery()) {
              if (!r.next()) {
                throw new IllegalArgumentException(
                    "request " + request.requestId() + " already exists");
              }
              return request.withSeq(r.getLong(1));
            }
          }
        });
  }

  @Override
  public synchronized void complete(InboxRequest done) {
    run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "UPDATE service_inbox SET state = ?, body = ? WHERE request_id = ?")) {
            p.setString(1, done.state().name());
            p.setString(2, json(done));
            p.setString(3, done.requestId());
            return p.executeUpdate();
          }
        });
  }

  @Override
  public synchronized Optional<InboxRequest> get(String requestId) {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement("SELECT seq, body FROM service_inbox WHERE request_id = ?")) {
            p.setString(1, requestId);
            try (ResultSet r = p.executeQuery()) {
              return r.next() ? Optional.of(read(r)) : Optional.<InboxRequest>empty();
            }
          }
        });
  }

  @Override
  public synchronized List<InboxRequest> pending() {
    return run(
        c -> {
          List<InboxRequest> out = new ArrayList<>();
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT seq, body FROM service_inbox WHERE state = 'QUEUED' ORDER BY seq");
              ResultSet r = p.executeQuery()) {
            while (r.next()) {
              out.add(read(r));
            }
          }
          return out;
        });
  }

  private static InboxRequest read(ResultSet r) throws SQLException {
    try {
      return JSON.readValue(r.getString(2), InboxRequest.class).withSeq(r.getLong(1));
    } catch (IOException e) {
      throw new InboxException("an inbox row is not a valid request: " + e.getMessage(), e);
    }
  }

  private static String json(InboxRequest r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private <T> T run(ReconnectingConnection.Work<T> work) {
    return connection.run(work);
  }

  @Override
  public void close() {
    connection.close();
  }
}
