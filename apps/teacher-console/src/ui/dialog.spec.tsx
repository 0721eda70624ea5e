/// <reference types="jest" />
// The console's Dialog on react-aria-components: opened by its trigger, or controlled with
// isOpen. Rendered on the server (react-dom/server) under Jest, where React Aria's development
// warnings are on (the built console leaves them out, so a browser spec cannot hear them).
import { Button } from 'react-aria-components';
import { renderToString } from 'react-dom/server';
import { Dialog } from './dialog';

describe(Dialog.name, () => {
  let warnings: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    warnings = [];
    spy = jest
      .spyOn(console, 'warn')
      .mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
  });
  afterEach(() => spy.mockRestore());

  it('opened by a trigger, with onOpenChange: React Aria gives no warning (the Policies page)', () => {
    const html = renderToString(
      <Dialog title="New policy" trigger={<Button>New policy</Button>} onOpenChange={() => {}}>
        <p>It starts setting nothing.</p>
      </Dialog>,
    );
    expect(html).toContain('New policy');
    expect(warnings).toEqual([]);
  });

  it('controlled with isOpen and onOpenChange: no warning either', () => {
    renderToString(
      <Dialog title="Lock Oak 01" isOpen={false} onOpenChange={() => {}}>
        <p>Lock it?</p>
      </Dialog>,
    );
    expect(warnings).toEqual([]);
  });
});
