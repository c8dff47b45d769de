package dev.kiln.cli.demo;

import dev.kiln.testkit.RequiredTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, for the web console's browser
 * tests. Both paths are given explicitly, so Selenium Manager never runs and nothing is downloaded
 * (SE_OFFLINE is set in the test JVM's environment as well). Missing on a developer machine, the
 * test skips naming the package; missing on CI, it fails.
 *
 * <p>The window is a 1366x768 laptop screen, the size the console is written for.
 */
final class HeadlessChromium implements AutoCloseable {
  static final RequiredTool CHROMIUM = new RequiredTool(Path.of("/usr/bin/chromium"), "chromium");
  static final RequiredTool CHROMEDRIVER =
      new RequiredTool(Path.of("/usr/bin/chromedriver"), "chromium-driver");

  /** Where screenshots go for people to look at: the module's target/screenshots. */
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
  }

  static HeadlessChromium start(Path profileDir) throws IOException {
    CHROMIUM.require();
    CHROMEDRIVER.require();
    Files.createDirectories(profileDir);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.binary().toFile())
            .usingAnyFreePort()
            .withLogFile(profileDir.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.binary().toFile());
    options.addArguments(
        "--headless=new",
        // Tests run as root in CI containers, where Chromium's sandbox cannot start.
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--window-size=1366,768",
        "--user-data-dir=" + profileDir.resolve("profile").toAbsolutePath());
    ChromeDriver driver;
    try {
      service.start();
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return new HeadlessChromium(service, driver);
  }

  ChromeDriver driver() {
    return driver;
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** Saves the page as target/screenshots/NAME.png and returns the file. */
  Path screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
