declare module 'virtual:atlaskit-themes.css';
declare module '*.css';
