package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.feedback.FeedbackSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /feedback}: one item {@code {"requestId", "label"|"value"|"reward"}} or a batch
 * {@code {"feedback": [items]}}. Every item is checked before any is stored, so a bad batch stores
 * nothing; the reply (202) counts the items stored, which are then on disk (docs/agent.md,
 * "Feedback").
 */
final class FeedbackHandler {
  /** The most items one request may carry. */
  static final int MAX_ITEMS = 1000;

  /** Feedback is small: a body over this is refused before it is parsed. */
  static final int MAX_BODY_BYTES = 1 << 20;

  static final int MAX_LABEL_CHARS = 256;

  /** The agent's own request-id rule ({@code X-Kiln-Request-Id}). */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static final Set<String> FIELDS = Set.of("requestId", "label", "value", "reward");

  private final FeedbackSink sink;

  FeedbackHandler(FeedbackSink sink) {
    this.sink = sink;
  }

  void post(Exchange ex) throws IOException {
    String type = ex.header("Content-Type");
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).contains("json")) {
      throw new AgentException(
          AgentErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "feedback is JSON (Content-Type: application/json), not " + type);
    }
    List<Feedback> items = parse(ex.body(MAX_BODY_BYTES));
    int stored = sink.store(items);
    if (stored < items.size()) {
      throw new AgentException(
          AgentErrorCode.OVERLOADED,
          stored
              + " of "
              + items.size()
              + " feedback items are stored; the disk outbox did not take the rest. Send the same"
              + " request again: feedback already stored is kept once");
    }
    ex.json(202, Map.of("accepted", stored));
  }

  static List<Feedback> parse(byte[] body) {
    JsonNode root;
    try {
      root = RequestDecoder.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw invalid("the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw invalid("the body cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw invalid(
          "send {\"requestId\": ..., \"label\"|\"value\"|\"reward\": ...} or {\"feedback\": [...]}");
    }
    if (!root.has("feedback")) {
      return List.of(item(root, ""));
    }
    if (root.size() != 1) {
      throw invalid("a batch is {\"feedback\": [...]} and nothing else");
    }
    JsonNode list = root.get("feedback");
    if (!list.isArray() || list.isEmpty()) {
      throw invalid("feedback must be a non-empty array");
    }
    if (list.size() > MAX_ITEMS) {
      throw invalid("at most " + MAX_ITEMS + " feedback items per request, not " + list.size());
    }
    List<Feedback> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(item(list.get(i), "feedback[" + i + "]: "));
    }
    return out;
  }

  private static Feedback item(JsonNode node, String where) {
    if (!node.isObject()) {
      throw invalid(where + "each item is an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw invalid(where + "unknown field '" + f + "'; fields are " + FIELDS);
      }
    }
    JsonNode id = node.get("requestId");
    if (id == null || !id.isTextual() || !REQUEST_ID.matcher(id.asText()).matches()) {
      throw invalid(
          where + "requestId is required: the id of the served request, 1-64 of A-Z a-z 0-9 . _ -");
    }
    int given =
        (node.has("label") ? 1 : 0) + (node.has("value") ? 1 : 0) + (node.has("reward") ? 1 : 0);
    if (given != 1) {
      throw invalid(where + "send exactly one of label, value and reward");
    }
    if (node.has("label")) {
      return new Feedback(id.asText(), label(node.get("label"), where), null, null);
    }
    if (node.has("value")) {
      return new Feedback(id.asText(), null, number(node.get("value"), where + "value"), null);
    }
    return new Feedback(id.asText(), null, null, number(node.get("reward"), where + "reward"));
  }

  private static String label(JsonNode label, String where) {
    if (label.isIntegralNumber() && label.canConvertToLong()) {
      return Long.toString(label.asLong());
    }
    if (label.isTextual()
        && !label.asText().isEmpty()
        && label.asText().length() <= MAX_LABEL_CHARS) {
      return label.asText();
    }
    throw invalid(
        where
            + "label is a class: an integer or a string of 1-"
            + MAX_LABEL_CHARS
            + " characters (a numeric target is sent as value)");
  }

  private static double number(JsonNode n, String what) {
    if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
      throw invalid(what + " must be a finite number");
    }
    return n.asDouble();
  }

  private static AgentException invalid(String message) {
    return new AgentException(AgentErrorCode.INVALID_INPUT, message);
  }
}
