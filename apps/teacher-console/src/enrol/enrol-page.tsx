// ICT: enrol devices. Make a token, then give it to the devices: as text, as a QR code for a
// device app to scan, or as the agent's command line for a laptop. Below, the tokens made so far.
import { useState } from 'react';
import { Page } from '../ui';
import { MakeTokenForm, type MadeToken } from './make-token-form';
import { NewTokenPanel } from './new-token-panel';
import { TokenList } from './token-list';

export default function EnrolPage() {
  const [made, setMade] = useState<MadeToken | null>(null);
  return (
    <Page title="Enrol devices">
      <p className="page-intro">
        A device enrols with a token: it sends the token to the hub once, and the hub gives it its
        own certificate. Make a token for the devices in front of you, then scan its code on each
        device or run the command on each laptop.
      </p>
      <div className="enrol-layout">
        <MakeTokenForm onMade={setMade} />
        {made ? <NewTokenPanel key={made.id} made={made} /> : null}
      </div>
      <h2>Tokens made</h2>
      <TokenList />
    </Page>
  );
}
