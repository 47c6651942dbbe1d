import '@atlaskit/css-reset';
import 'virtual:atlaskit-themes.css';
import './app.css';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyColorMode } from './theme';

applyColorMode('light');
const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
