package dev.kiln.artifact;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes ZIP files the way an attacker would: {@code ZipOutputStream} refuses duplicate names and
 * cannot set a Unix file type or lie about an entry's size, so hostile archives are written here
 * byte by byte (local headers, central directory, end record; no data descriptors).
 */
final class RawZip {
  private static final int UNIX_REGULAR = 0100644;

  private record Entry(String name, byte[] data, long declaredSize, int unixMode) {}

  private final List<Entry> entries = new ArrayList<>();

  RawZip file(String name, byte[] data) {
    return entry(name, data, data.length, UNIX_REGULAR);
  }

  /** An entry whose headers claim {@code declaredSize} bytes, whatever {@code data} inflates to. */
  RawZip lying(String name, byte[] data, long declaredSize) {
    return entry(name, data, declaredSize, UNIX_REGULAR);
  }

  /** An entry with a Unix mode, e.g. 0120777 for a symbolic link whose data is its target. */
  RawZip entry(String name, byte[] data, long declaredSize, int unixMode) {
    entries.add(new Entry(name, data, declaredSize, unixMode));
    return this;
  }

  /** Every file of a sealed staging directory, as a well-formed archive would hold them. */
  RawZip files(Path staging) throws IOException {
    for (String name : ArtifactFiles.list(staging)) {
      file(name, Files.readAllBytes(staging.resolve(name)));
    }
    return this;
  }

  Path write(Path target) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream directory = new ByteArrayOutputStream();
    for (Entry e : entries) {
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      byte[] compressed = deflate(e.data());
      CRC32 crc = new CRC32();
      crc.update(e.data());
      int offset = out.size();
      ByteBuffer local = le(30);
      local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800).putShort((short) 8);
      local.putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue());
      local.putInt(compressed.length).putInt((int) e.declaredSize());
      local.putShort((short) name.length).putShort((short) 0);
      out.write(local.array());
      out.write(name);
      out.write(compressed);
      ByteBuffer central = le(46);
      central.putInt(0x02014b50).putShort((short) (3 << 8 | 20)).putShort((short) 20);
      central.putShort((short) 0x0800).putShort((short) 8).putShort((short) 0);
      central.putShort((short) 0x21).putInt((int) crc.getValue()).putInt(compressed.length);
      central.putInt((int) e.declaredSize()).putShort((short) name.length).putShort((short) 0);
      central.putShort((short) 0).putShort((short) 0).putShort((short) 0);
      central.putInt(e.unixMode() << 16).putInt(offset);
      directory.write(central.array());
      directory.write(name);
    }
    int directoryOffset = out.size();
    out.write(directory.toByteArray());
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    end.putShort((short) entries.size()).putShort((short) entries.size());
    end.putInt(directory.size()).putInt(directoryOffset).putShort((short) 0);
    out.write(end.array());
    Files.write(target, out.toByteArray());
    return target;
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(9, true);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
