package dev.kiln.compiler.calibration;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples in JSON: one sample object ({@code {"inputs": {name: {"dtype", "shape", "data"}}}}, the
 * reference format of samples/), an array of them, or JSONL with one per line. A JSON array is read
 * element by element, so only one sample's tree is in memory at a time.
 */
final class JsonSamples {
  /** JSON costs several times its values in memory while parsed; bigger sets belong in .npy. */
  static final long MAX_FILE_BYTES = 256L << 20;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder()
              // Python's json module writes NaN and Infinity; they are read, then warned about.
              .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxStringLength((int) MAX_FILE_BYTES)
                      .maxNestingDepth(64)
                      .build())
              .build());

  private JsonSamples() {}

  static List<Sample> readJson(Path file, ByteBudget budget) {
    checkSize(file);
    List<Sample> out = new ArrayList<>();
    try (JsonParser parser = MAPPER.createParser(file.toFile())) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_ARRAY) {
        int index = 0;
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          JsonNode node = MAPPER.readTree(parser);
          out.add(TensorJson.sample(file + "[" + index + "]", node, budget));
          index++;
        }
        if (parser.currentToken() != JsonToken.END_ARRAY) {
          throw Refusal.of(
              file + "[" + index + "]",
              "it is not a sample object",
              "Give an array of {\"inputs\": {...}} objects");
        }
      } else if (first == JsonToken.START_OBJECT) {
        out.add(TensorJson.sample(file.toString(), MAPPER.readTree(parser), budget));
      } else {
        throw Refusal.of(
            file,
            "it holds neither a sample object nor an array of them",
            "Write {\"inputs\": {NAME: {\"dtype\": ..., \"shape\": [...], \"data\": [...]}}}");
      }
      if (parser.nextToken() != null) {
        throw Refusal.of(
            file,
            "it has more after its first JSON value",
            "Put several samples in a JSON array, or one per line in a .jsonl file");
      }
    } catch (IOException e) {
      throw Refusal.of(
          file, "it is not readable JSON (" + e.getMessage() + ")", "Fix or regenerate it", e);
    }
    return out;
  }

  static List<Sample> readLines(Path file, ByteBudget budget) {
    checkSize(file);
    List<Sample> out = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String where = file + ":" + lineNumber;
        JsonNode node;
        try {
          node = MAPPER.readTree(line);
        } catch (IOException e) {
          throw Refusal.of(
              where,
              "the line is not one JSON object (" + e.getMessage() + ")",
              "Write one {\"inputs\": {...}} object per line",
              e);
        }
        out.add(TensorJson.sample(where, node, budget));
      }
    } catch (IOException e) {
      throw Refusal.of(file, "it cannot be read (" + e.getMessage() + ")", "Check the path", e);
    }
    return out;
  }

  private static void checkSize(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw Refusal.of(
            file,
            "it is " + size + " bytes; JSON calibration files are read up to " + MAX_FILE_BYTES,
            "Split it into several files in a folder, or use .npy/.npz, which cost no parsing");
      }
    } catch (IOException e) {
      throw Refusal.of(file, "it cannot be read (" + e.getMessage() + ")", "Check the path", e);
    }
  }
}
