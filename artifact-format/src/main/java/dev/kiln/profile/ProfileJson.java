package dev.kiln.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.json.JsonMappers;
import dev.kiln.json.JsonTrees;
import dev.kiln.json.RecordBindingException;
import dev.kiln.json.RecordReader;
import java.io.IOException;

/**
 * Reads and writes profile JSON. The mapping is strict on purpose: a profile is hand-written data,
 * and what Jackson would silently accept (an unknown field, "4" for 4, 8.7 for "8.7", a missing
 * boolean read as false) would otherwise ship a wrong device description to the compiler. As a
 * number, compute capability 8.10 would read as 8.1: versions must be strings, which the strict
 * mapping enforces.
 *
 * <p>Profiles are read with {@link RecordReader}'s strict mode rather than databind: the agent
 * reads its profile at every start, and databind's binding would load some 400 classes for it.
 */
public final class ProfileJson {
  static final String SCHEMA_PATH = "device-profiles/schema/device-profile.schema.json";

  private ProfileJson() {}

  /**
   * Parses one profile without validating its values; {@link ProfileValidator} does that.
   *
   * @param source file name or URL, used only in error messages
   * @throws ProfileException MALFORMED_JSON, UNKNOWN_FIELD, MISSING_FIELD or INVALID_VALUE
   */
  static DeviceProfile parse(byte[] json, String source) {
    JsonNode tree;
    try {
      tree = JsonTrees.parseStrict(json);
    } catch (StreamReadException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new ProfileException(
          ProfileErrorCode.MALFORMED_JSON,
          source,
          null,
          source + ": not valid JSON" + where + ": " + e.getOriginalMessage() + ". Fix the syntax.",
          e);
    } catch (IOException e) {
      throw new ProfileException(
          ProfileErrorCode.UNREADABLE, source, null, source + ": cannot read: " + e, e);
    }
    if (tree == null || !tree.isObject()) {
      throw new ProfileException(
          ProfileErrorCode.MALFORMED_JSON,
          source,
          null,
          source + ": does not hold a JSON object. Write the profile as one {...} object.",
          null);
    }
    UnknownFields.check(tree, DeviceProfile.class, source);
    // The strict mapper wants every field; optional ones that are left out are read as null.
    fillMissing((ObjectNode) tree, DeviceProfile.OPTIONAL_FIELDS);
    if (tree.get("inputSizes") instanceof ObjectNode sizes) {
      fillMissing(sizes, DeviceProfile.InputSizes.OPTIONAL_FIELDS);
    }
    try {
      return RecordReader.read(tree, DeviceProfile.class, RecordReader.Mode.STRICT);
    } catch (RecordBindingException e) {
      throw BindingErrors.translate(e, tree, source);
    }
  }

  private static void fillMissing(ObjectNode object, java.util.List<String> optional) {
    for (String field : optional) {
      if (!object.has(field)) {
        object.putNull(field);
      }
    }
  }

  /** The profile as indented JSON, in the field order the files use. */
  public static String write(DeviceProfile profile) {
    try {
      return Writer.MAPPER.writeValueAsString(profile) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a DeviceProfile record always serializes", e);
    }
  }

  /** The strict mapper, built only when a profile is written (the agent never does). */
  private static final class Writer {
    static final ObjectMapper MAPPER = JsonMappers.strict();
  }
}
