package dev.kiln.cli.demo;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The web console as a person sees it in the browser: sign in, open a view, find things on the
 * page. Waits poll the page (with Awaitility) because the console renders after its API calls.
 */
final class ConsolePage {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final HeadlessChromium browser;
  private final String url;

  ConsolePage(HeadlessChromium browser, String url) {
    this.browser = browser;
    this.url = url;
  }

  ChromeDriver driver() {
    return browser.driver();
  }

  /** Opens the sign-in view, pastes the token and waits for the fleet view. */
  void signIn(String token) {
    driver().get(url + "/#/login");
    WebElement field = waitFor("#token");
    field.clear();
    field.sendKeys(token);
    driver().findElement(By.id("sign-in")).click();
    await().atMost(WAIT).until(() -> driver().getCurrentUrl().endsWith("#/fleet"));
    waitFor("#devices table, #devices .empty");
  }

  /** Goes to a hash route (#/deployments ...) the way a link does. */
  void go(String route) {
    browser.script("location.hash = arguments[0]", route);
  }

  WebElement waitFor(String css) {
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> !driver().findElements(By.cssSelector(css)).isEmpty());
    return driver().findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return driver().findElements(By.cssSelector(css));
  }

  String text(String css) {
    return waitFor(css).getText();
  }

  Object script(String js, Object... args) {
    return browser.script(js, args);
  }
}
