package dev.kiln.agent;

import dev.kiln.link.transport.PemSslContexts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A throw-away PKI made at test time with the JDK's {@code keytool}: a CA, a server certificate for
 * 127.0.0.1/localhost and a client certificate, both signed by the CA, written as the PEM files the
 * agent's {@code http.tls} section takes. Private keys are read back from keytool's PKCS12 stores
 * and written as unencrypted PKCS#8 PEM, which keytool cannot export.
 */
public record TestCertificates(
    Path caPem, Path serverPem, Path serverKey, Path clientPem, Path clientKey) {
  private static final String PASSWORD = "changeit";

  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca.p12");
    keytool(
        "-genkeypair",
        "-keystore",
        ca.toString(),
        "-alias",
        "ca",
        "-dname",
        "CN=Kiln test CA",
        "-ext",
        "bc:c");
    Path caPem = dir.resolve("ca.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-keystore",
        ca.toString(),
        "-alias",
        "ca",
        "-file",
        caPem.toString());
    Path serverPem =
        issue(
            dir, ca, "server", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost", "EKU=serverAuth");
    Path clientPem = issue(dir, ca, "client", "CN=test-client", null, "EKU=clientAuth");
    // The server presents its chain: its certificate, then the CA's.
    Files.writeString(
        serverPem,
        Files.readString(serverPem) + Files.readString(caPem),
        StandardCharsets.US_ASCII);
    Files.writeString(
        clientPem,
        Files.readString(clientPem) + Files.readString(caPem),
        StandardCharsets.US_ASCII);
    return new TestCertificates(
        caPem,
        serverPem,
        pkcs8(dir.resolve("server.p12"), "server", dir.resolve("server.key")),
        clientPem,
        pkcs8(dir.resolve("client.p12"), "client", dir.resolve("client.key")));
  }

  /** A client context that trusts the CA, presenting the client certificate when asked to. */
  public SSLContext clientContext(boolean presentCertificate) {
    return presentCertificate
        ? PemSslContexts.context(caPem, clientPem, clientKey)
        : PemSslContexts.context(caPem, null, null);
  }

  private static Path issue(Path dir, Path ca, String name, String dname, String san, String eku)
      throws IOException, InterruptedException {
    Path store = dir.resolve(name + ".p12");
    Path csr = dir.resolve(name + ".csr");
    Path pem = dir.resolve(name + ".pem");
    keytool("-genkeypair", "-keystore", store.toString(), "-alias", name, "-dname", dname);
    keytool("-certreq", "-keystore", store.toString(), "-alias", name, "-file", csr.toString());
    List<String> gencert =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-rfc",
                "-keystore",
                ca.toString(),
                "-alias",
                "ca",
                "-infile",
                csr.toString(),
                "-outfile",
                pem.toString(),
                "-ext",
                eku));
    if (san != null) {
      gencert.addAll(List.of("-ext", san));
    }
    keytool(gencert.toArray(new String[0]));
    return pem;
  }

  private static Path pkcs8(Path store, String alias, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      PrivateKey key = (PrivateKey) ks.getKey(alias, PASSWORD.toCharArray());
      String base64 =
          Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded());
      Files.writeString(
          target,
          "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n",
          StandardCharsets.US_ASCII);
      return target;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the key of " + alias + " from " + store, e);
    }
  }

  /** Runs keytool with EC P-256 keys (fast to make) and a one-day validity. */
  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    if (args[0].equals("-genkeypair")) {
      command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "1"));
    }
    if (args[0].equals("-gencert")) {
      command.addAll(List.of("-validity", "1"));
    }
    command.addAll(
        List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD, "-noprompt"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + String.join(" ", command) + "\n" + output);
    }
  }
}
