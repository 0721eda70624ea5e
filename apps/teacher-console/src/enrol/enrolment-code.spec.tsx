// The Enrol screen's hub address check: the agent's command is copied onto laptops and run in a
// shell, so an address must be one that needs no quoting there (a file .tsx so that the unit
// suite runs it: the console's plain .ts files are its own, under Vite).
import { agentEnrolCommand, hubUrlProblem } from './enrolment-code';

describe('hubUrlProblem', () => {
  it('takes a host name, an IPv4 or IPv6 address, with a port', () => {
    for (const address of [
      'https://hub.school.example',
      'https://192.168.10.5:8443',
      'http://[::1]:8080',
      'http://oak-hill-hub:8080/',
      'https://hüb.school.example',
    ]) {
      expect([address, hubUrlProblem(address)]).toEqual([address, null]);
    }
  });

  it('refuses a host a shell would read as commands, so the copied command never runs one', () => {
    for (const address of [
      'http://hub;reboot',
      'http://a$(id).example',
      'http://x`id`:8080',
      'http://a&b',
      "http://a'b",
    ]) {
      expect([address, hubUrlProblem(address)]).toEqual([
        address,
        'A hub’s name has only letters, digits, dots and dashes (or it is an IP address), for example https://hub.school.example.',
      ]);
    }
  });

  it('gives the agent command for an address it takes', () => {
    expect(agentEnrolCommand('http://192.168.10.5:8080/', 'tok_EN-1')).toBe(
      'npm run agent -- enroll --hub http://192.168.10.5:8080 --token tok_EN-1',
    );
  });
});
