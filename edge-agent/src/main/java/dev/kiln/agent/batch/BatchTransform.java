package dev.kiln.agent.batch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.http.JsonTensors;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.InputValidator;
import dev.kiln.artifact.Manifest;
import dev.kiln.json.JsonMappers;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a model over {@code .jsonl} input (one request body per line, as {@code POST /invocations}
 * takes it) and appends one JSON result per line to the output. Resumable: progress is checkpointed
 * every {@code checkpointLines} lines (see {@link BatchProgress} for the contract), so an
 * interrupted run continues where its last checkpoint left off with no line lost or doubled.
 */
public final class BatchTransform {
  private static final ObjectMapper MAPPER = JsonMappers.plain();

  private final String modelName;
  private final ModelRunner runner;
  private final Manifest.IoSignature signature;
  private final int checkpointLines;

  /** What a run did. */
  public record Summary(long linesDone, long errors, boolean resumed) {}

  public BatchTransform(
      String modelName, ModelRunner runner, Manifest.IoSignature signature, int checkpointLines) {
    this.modelName = modelName;
    this.runner = runner;
    this.signature = signature;
    this.checkpointLines = Math.max(1, checkpointLines);
  }

  /** The {@code .jsonl} files of {@code input}: the file itself, or a folder's files sorted. */
  public static List<Path> inputs(Path input) throws IOException {
    if (Files.isRegularFile(input)) {
      return List.of(input);
    }
    if (!Files.isDirectory(input)) {
      throw new AgentException(AgentErrorCode.INVALID_INPUT, input + " does not exist");
    }
    try (Stream<Path> files = Files.list(input)) {
      return files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  public Summary run(List<Path> inputs, Path output) throws IOException {
    BatchProgress progress = BatchProgress.read(output);
    boolean resumed = progress != null;
    if (progress == null) {
      progress = BatchProgress.START;
    } else if (progress.done()) {
      return new Summary(progress.linesDone(), 0, true);
    }
    long errors = 0;
    try (FileChannel out =
        FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      out.truncate(progress.outputBytes());
      out.position(progress.outputBytes());
      long lines = progress.linesDone();
      for (int f = progress.fileIndex(); f < inputs.size(); f++) {
        Path file = inputs.get(f);
        long offset = f == progress.fileIndex() ? progress.byteOffset() : 0;
        try (InputStream raw = Files.newInputStream(file)) {
          raw.skipNBytes(offset);
          InputStream in = new BufferedInputStream(raw, 1 << 16);
          int sinceCheckpoint = 0;
          byte[] line;
          while ((line = readLine(in)) != null) {
            offset += line.length;
            if (!isBlank(line)) {
              errors += write(out, file.getFileName().toString(), lines, line) ? 0 : 1;
              lines++;
            }
            if (++sinceCheckpoint >= checkpointLines) {
              checkpoint(
                  out,
                  output,
                  new BatchProgress(
                      f, file.getFileName().toString(), offset, lines, out.position(), false));
              sinceCheckpoint = 0;
            }
          }
        }
        boolean last = f == inputs.size() - 1;
        checkpoint(
            out,
            output,
            new BatchProgress(
                last ? f : f + 1, null, last ? offset : 0, lines, out.position(), last));
      }
      if (inputs.isEmpty()) {
        checkpoint(out, output, new BatchProgress(0, null, 0, 0, out.position(), true));
      }
      return new Summary(lines, errors, resumed);
    }
  }

  private static void checkpoint(FileChannel out, Path output, BatchProgress p) throws IOException {
    out.force(true);
    p.write(output);
  }

  /** Runs one line; returns false when it produced an error record. */
  private boolean write(FileChannel out, String file, long index, byte[] line) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean ok = true;
    try (JsonGenerator gen = MAPPER.getFactory().createGenerator(buf)) {
      gen.writeStartObject();
      gen.writeStringField("file", file);
      gen.writeNumberField("line", index);
      gen.writeStringField("model", modelName);
      try {
        JsonNode body = MAPPER.readTree(line);
        // Same rules as a request body: the line's length bounds what it may decode to, and
        // NaN or Infinity in a line is an error record.
        Map<String, Tensor> inputs =
            JsonTensors.decode(body, signature, DecodeLimits.forBody(line.length, false));
        InputValidator.validate(modelName, signature, inputs);
        Map<String, Tensor> outputs = runner.run(inputs);
        gen.writeObjectFieldStart("outputs");
        for (var e : outputs.entrySet()) {
          gen.writeFieldName(e.getKey());
          JsonTensors.write(gen, e.getValue());
        }
        gen.writeEndObject();
      } catch (AgentException e) {
        ok = false;
        gen.writeObjectFieldStart("error");
        gen.writeStringField("code", e.code().name());
        gen.writeStringField("message", e.getMessage());
        gen.writeEndObject();
      } catch (IOException e) {
        ok = false;
        gen.writeObjectFieldStart("error");
        gen.writeStringField("code", AgentErrorCode.INVALID_INPUT.name());
        gen.writeStringField("message", "line is not valid JSON: " + e.getMessage().split("\n")[0]);
        gen.writeEndObject();
      }
      gen.writeEndObject();
    }
    buf.write('\n');
    ByteBuffer bytes = ByteBuffer.wrap(buf.toByteArray());
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
    return ok;
  }

  /** The next line including its '\n' (so offsets count exact bytes), or null at end of file. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    return line.size() == 0 ? null : line.toByteArray();
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return true;
  }
}
