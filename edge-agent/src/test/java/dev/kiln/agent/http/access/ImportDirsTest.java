package dev.kiln.agent.http.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportDirsTest {
  @TempDir Path root;

  @Test
  void aMissingImportFolder_isCreatedPrivate() throws Exception {
    Path dir = root.resolve("state/import");
    new ImportDirs(List.of(dir));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }

  @Test
  void aKilnFileInsideAnImportFolder_resolvesToItsRealPath() throws Exception {
    Path dir = Files.createDirectories(root.resolve("import"));
    Path kiln = Files.writeString(dir.resolve("mlp-1.kiln"), "x");
    ImportDirs dirs = new ImportDirs(List.of(root.resolve("other"), dir));
    assertThat(dirs.resolve(kiln.toString())).isEqualTo(kiln.toRealPath());
    assertThat(dirs.resolve(dir + "/./mlp-1.kiln")).isEqualTo(kiln.toRealPath());
  }

  @Test
  void everyOtherPath_isRefusedWithOneMessage_soNothingTellsWhatExists() throws Exception {
    Path dir = Files.createDirectories(root.resolve("import"));
    Path outside = Files.writeString(root.resolve("outside.kiln"), "x");
    Files.createDirectories(dir.resolve("folder.kiln"));
    Files.writeString(dir.resolve("notes.txt"), "x");
    Files.createSymbolicLink(dir.resolve("escape.kiln"), outside);
    Files.createSymbolicLink(dir.resolve("passwd.kiln"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(root.resolve("import-link"), dir);
    ImportDirs dirs = new ImportDirs(List.of(dir));

    List<String> refused =
        List.of(
            outside.toString(),
            root.resolve("missing.kiln").toString(),
            dir.resolve("missing.kiln").toString(),
            dir + "/../outside.kiln",
            dir.resolve("folder.kiln").toString(),
            dir.resolve("notes.txt").toString(),
            dir.resolve("escape.kiln").toString(),
            dir.resolve("passwd.kiln").toString(),
            dir.toString(),
            root.toString(),
            "/root",
            "/etc/passwd",
            "import/x.kiln",
            "bad\u0000path.kiln");
    String message = null;
    for (String path : refused) {
      try {
        dirs.resolve(path);
        throw new AssertionError(path + " was accepted");
      } catch (AgentException e) {
        assertThat(e.code()).as(path).isEqualTo(AgentErrorCode.ARTIFACT_REJECTED);
        if (message == null) {
          message = e.getMessage();
        }
        assertThat(e.getMessage()).as(path).isEqualTo(message);
      }
    }
    assertThat(message).contains("models.importDirs").contains(dir.toString());
  }

  @Test
  void aSymlinkedImportFolder_acceptsFilesThroughEitherPath() throws Exception {
    Path dir = Files.createDirectories(root.resolve("real-import"));
    Path link = Files.createSymbolicLink(root.resolve("import"), dir);
    Files.writeString(dir.resolve("a.kiln"), "x");
    ImportDirs dirs = new ImportDirs(List.of(link));
    assertThat(dirs.resolve(link.resolve("a.kiln").toString()))
        .isEqualTo(dir.resolve("a.kiln").toRealPath());
    assertThat(dirs.resolve(dir.resolve("a.kiln").toString()))
        .isEqualTo(dir.resolve("a.kiln").toRealPath());
  }

  @Test
  void noImportFolders_refusesEverything() throws Exception {
    Path kiln = Files.writeString(root.resolve("a.kiln"), "x");
    assertThatThrownBy(() -> new ImportDirs(List.of()).resolve(kiln.toString()))
        .isInstanceOf(AgentException.class);
  }
}
