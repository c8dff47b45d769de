package dev.kiln.artifact;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipException;

/**
 * The ZIP central directory as written, one {@link Record} per entry, duplicates included. {@code
 * java.util.zip} hides two things an unpacker must see: the file type in the external attributes (a
 * symlink entry reads as a small regular file) and entries that share a name (only one is reachable
 * by name). Only metadata is read here; entry data is read by {@code ZipFile}.
 */
final class CentralDirectory {
  /** No artifact has more files than this; the limit bounds the memory a hostile one can cost. */
  static final int MAX_ENTRIES = 256;

  private static final int MAX_DIRECTORY_BYTES = 1 << 20;
  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int HEADER = 0x02014b50;
  private static final int UNIX_HOST = 3;
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;
  private static final int MSDOS_DIRECTORY = 0x10;

  private CentralDirectory() {}

  /** One central directory entry: its name and what kind of file it claims to be. */
  record Record(String name, String type) {
    boolean isRegularFile() {
      return type.equals("file");
    }

    boolean isDirectory() {
      return type.equals("directory");
    }
  }

  static List<Record> read(Path archive) throws IOException {
    try (FileChannel file = FileChannel.open(archive, StandardOpenOption.READ)) {
      long size = file.size();
      int tailLength = (int) Math.min(size, 22 + 0xFFFF);
      ByteBuffer tail = readAt(file, size - tailLength, tailLength);
      int eocd = -1;
      for (int i = tailLength - 22; i >= 0; i--) {
        if (tail.getInt(i) == EOCD) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) {
        throw new ZipException("no end of central directory");
      }
      long entries = Short.toUnsignedInt(tail.getShort(eocd + 10));
      long directorySize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
      long directoryOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
      if (entries == 0xFFFF || directorySize == 0xFFFFFFFFL || directoryOffset == 0xFFFFFFFFL) {
        long locatorAt = size - tailLength + eocd - 20;
        ByteBuffer locator = readAt(file, locatorAt, 20);
        if (locator.getInt(0) != ZIP64_LOCATOR) {
          throw new ZipException("ZIP64 locator missing");
        }
        ByteBuffer zip64 = readAt(file, locator.getLong(8), 56);
        if (zip64.getInt(0) != ZIP64_EOCD) {
          throw new ZipException("ZIP64 end of central directory missing");
        }
        entries = zip64.getLong(32);
        directorySize = zip64.getLong(40);
        directoryOffset = zip64.getLong(48);
      }
      if (entries > MAX_ENTRIES) {
        throw new ArtifactException(
            ArtifactErrorCode.TOO_LARGE,
            archive + " has " + entries + " entries; an artifact has at most " + MAX_ENTRIES);
      }
      if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > size) {
        throw new ZipException("central directory out of bounds");
      }
      return records(readAt(file, directoryOffset, (int) directorySize), entries);
    }
  }

  private static List<Record> records(ByteBuffer directory, long entries) throws IOException {
    List<Record> records = new ArrayList<>();
    int at = 0;
    for (long i = 0; i < entries; i++) {
      if (at + 46 > directory.limit() || directory.getInt(at) != HEADER) {
        throw new ZipException("bad central directory header");
      }
      int madeBy = Short.toUnsignedInt(directory.getShort(at + 4)) >>> 8;
      int nameLength = Short.toUnsignedInt(directory.getShort(at + 28));
      int extraLength = Short.toUnsignedInt(directory.getShort(at + 30));
      int commentLength = Short.toUnsignedInt(directory.getShort(at + 32));
      int attributes = directory.getInt(at + 38);
      if (at + 46 + nameLength > directory.limit()) {
        throw new ZipException("central directory name out of bounds");
      }
      byte[] name = new byte[nameLength];
      directory.get(at + 46, name);
      String decoded = decode(name);
      records.add(new Record(decoded, type(decoded, madeBy, attributes)));
      at += 46 + nameLength + extraLength + commentLength;
    }
    return records;
  }

  private static String type(String name, int madeBy, int attributes) {
    if (madeBy == UNIX_HOST) {
      int mode = (attributes >>> 16) & S_IFMT;
      if (mode == S_IFLNK) {
        return "symbolic link";
      }
      if (mode == S_IFDIR) {
        return "directory";
      }
      if (mode != 0 && mode != S_IFREG) {
        return "special file (mode " + Integer.toOctalString(mode) + ")";
      }
    } else if ((attributes & MSDOS_DIRECTORY) != 0) {
      return "directory";
    }
    return name.endsWith("/") ? "directory" : "file";
  }

  /** Strict UTF-8, as {@code ZipFile} reads names: a name that is not UTF-8 is refused. */
  private static String decode(byte[] name) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(name))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ArtifactException(
          ArtifactErrorCode.UNSAFE_ENTRY, "the archive holds an entry whose name is not UTF-8");
    }
  }

  private static ByteBuffer readAt(FileChannel file, long position, int length) throws IOException {
    if (position < 0 || length < 0) {
      throw new ZipException("offset out of bounds");
    }
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (file.read(buffer, position + buffer.position()) < 0) {
        throw new EOFException("archive ends inside its central directory");
      }
    }
    return buffer.flip();
  }
}
