/** The least a production configuration needs (the boot refuses defaults for these); tests add the rest. */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  ADMIN_PASSWORD: 'admin-password',
  INTAKE_API_KEY: 'intake-key-16-chars-x',
  CHILDREN_ACCEPT_LINK_SECRET: 'accept-link-secret-32-chars-xxxxxxxx',
  PUBLIC_BASE_URL: 'https://tsm.kommune.example',
};
