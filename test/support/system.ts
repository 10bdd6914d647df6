/** Integration tests start the same local system the flash-sale tool does. */
export { LocalSystem as TestSystem, type ServiceName, type ServiceProcess, type SystemOptions, type HttpResult } from '../../tools/lib/system';
