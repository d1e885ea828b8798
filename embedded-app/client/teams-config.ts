// The Teams tab configuration page: adding the app to a meeting saves the side panel's content URL.
import { app, pages } from '@microsoft/teams-js';

void app.initialize().then(() => {
  const base = location.origin;
  pages.config.registerOnSaveHandler((save) => {
    pages.config
      .setConfig({
        entityId: 'madoguchi-consultation',
        contentUrl: `${base}/app/teams`,
        websiteUrl: `${base}/app/teams`,
        suggestedDisplayName: 'オンライン相談',
      })
      .then(() => save.notifySuccess())
      .catch((error: unknown) => save.notifyFailure(String(error)));
  });
  pages.config.setValidityState(true);
  app.notifySuccess();
});
