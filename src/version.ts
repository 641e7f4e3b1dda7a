/** Gatehouse's version, as it introduces itself to agents and upstreams and in the admin API's description. */
export const GATEHOUSE_VERSION = '0.1.0';
