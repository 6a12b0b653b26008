import './styles';
import { MantineProvider, localStorageColorSchemeManager } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { theme } from './app/theme';
import { I18nProvider } from './i18n/I18nProvider';
import { alarmSounder } from './sound/sounder';

// Before anything else, so the browser's autoplay state reflects this page load (see sounder.ts).
alarmSounder();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <MantineProvider
      theme={theme}
      defaultColorScheme="light"
      colorSchemeManager={localStorageColorSchemeManager({ key: 'anxin.color-scheme' })}
    >
      <I18nProvider>
        <App />
      </I18nProvider>
    </MantineProvider>
  </StrictMode>,
);
