package dev.kiln.cloud.service.auth;

import java.nio.file.Path;

class FileTokenStoreTest extends TokenStoreContract {
  @Override
  TokenStore open(Path stateDir) {
    return FileTokenStore.open(stateDir);
  }
}
