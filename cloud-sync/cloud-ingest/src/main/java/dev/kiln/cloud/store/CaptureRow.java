package dev.kiln.cloud.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A capture record flattened for the {@code captures} table. {@code outputTop}/{@code outputMax}
 * are the argmax and max of the first output tensor, so output distributions can be queried without
 * decoding tensors in SQL; {@code outputFirst} is its first value, a regression's prediction.
 *
 * <p>{@link #parse} is the ingestor's path: the {@code inputs} and {@code outputs} JSON arrays are
 * kept as the device wrote them, not decoded from base64 and encoded again (for a CNN-sized record
 * that round trip cost more than the database write); only the small outputs are decoded, for the
 * argmax. The {@code record}'s own inputs are then empty.
 */
public record CaptureRow(
    CaptureRecord record,
    String inputsJson,
    String outputsJson,
    Integer outputTop,
    Double outputMax,
    Double outputFirst) {

  private static final TypeReference<List<CaptureTensor>> TENSORS = new TypeReference<>() {};

  public static CaptureRow of(CaptureRecord r) {
    return derive(r, r.outputs(), json(r.inputs()), json(r.outputs()));
  }

  /** One NDJSON line of a capture batch. */
  public static CaptureRow parse(byte[] line) {
    ObjectMapper mapper = ProtocolJson.mapper();
    try (JsonParser p = mapper.getFactory().createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new LinkException(LinkErrorCode.PROTOCOL_INVALID, "capture line is not an object");
      }
      ObjectNode rest = mapper.createObjectNode();
      String inputs = "[]";
      String outputs = "[]";
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ((field.equals("inputs") || field.equals("outputs")) && value == JsonToken.START_ARRAY) {
          int start = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          int end = (int) p.currentLocation().getByteOffset();
          String raw = new String(line, start, end - start, StandardCharsets.UTF_8);
          if (field.equals("inputs")) {
            inputs = raw;
          } else {
            outputs = raw;
          }
        } else {
          rest.set(field, mapper.readTree(p));
        }
      }
      CaptureRecord r = mapper.treeToValue(rest, CaptureRecord.class);
      return derive(r, mapper.readValue(outputs, TENSORS), inputs, outputs);
    } catch (IOException e) {
      throw new LinkException(
          LinkErrorCode.PROTOCOL_INVALID, "capture line is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static CaptureRow derive(
      CaptureRecord r, List<CaptureTensor> outputs, String inputsJson, String outputsJson) {
    Integer top = null;
    Double max = null;
    Double first = null;
    if (!outputs.isEmpty()) {
      double[] v = outputs.get(0).toDoubles();
      if (v != null && v.length > 0) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
          if (v[i] > v[best]) {
            best = i;
          }
        }
        top = best;
        max = v[best];
        first = v[0];
      }
    }
    return new CaptureRow(r, inputsJson, outputsJson, top, max, first);
  }

  private static String json(List<CaptureTensor> tensors) {
    try {
      return ProtocolJson.mapper().writeValueAsString(tensors);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("tensor list did not serialize", e);
    }
  }
}
