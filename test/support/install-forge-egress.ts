// @forge/api captures the runtime's global fetch when it loads; importing the platform emulation first
// puts Forge's egress guard in place before any test file loads app code.
import '../../sandbox/platform/forge-platform';
