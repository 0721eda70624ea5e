// The token just made, in every form a device takes it: the token as text to copy, a QR code
// holding the hub's address and the token for a device app to scan, and the agent's command
// line for a laptop. The hub keeps only a hash, so this is the one time it can be shown.
import type { School } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { apiQuery } from '../api/client';
import { CopyText, ErrorMessage, TextField } from '../ui';
import { agentEnrolCommand, enrolmentQrText, hubUrlProblem, isLocalOnly } from './enrolment-code';
import type { MadeToken } from './make-token-form';
import { schoolDateTime } from './school-time';

/** The QR code as an SVG data URL (img-src allows data:; no inline script or style). */
function useQrCode(text: string | null): { src: string | null; error: unknown } {
  const [result, setResult] = useState<{ src: string | null; error: unknown }>({
    src: null,
    error: null,
  });
  useEffect(() => {
    if (text === null) {
      setResult({ src: null, error: null });
      return;
    }
    let current = true;
    QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }).then(
      (svg) =>
        current && setResult({ src: `data:image/svg+xml,${encodeURIComponent(svg)}`, error: null }),
      (error: unknown) => current && setResult({ src: null, error }),
    );
    return () => {
      current = false;
    };
  }, [text]);
  return result;
}

export function NewTokenPanel({ made }: { made: MadeToken }) {
  const school = useQuery({ ...apiQuery<School>('/api/school'), staleTime: Infinity });
  const [hubUrl, setHubUrl] = useState(() => window.location.origin);
  const problem = hubUrlProblem(hubUrl);
  const fingerprint = school.data?.caFingerprint;
  // An https:// hub's code needs the CA fingerprint: wait for it rather than draw a code without.
  const ready = !problem && (school.data !== undefined || !hubUrl.trim().startsWith('https://'));
  const qr = useQrCode(ready ? enrolmentQrText(hubUrl, made.token, fingerprint) : null);

  // The sentence begins with the label when there is one, else with this.
  const devices =
    made.maxUses === 1 ? 'one device' : `${made.maxUses.toLocaleString('en-GB')} devices`;

  return (
    <section className="new-token" aria-labelledby="new-token-heading">
      <h2 id="new-token-heading">Your new token</h2>
      <p className="new-token-facts">
        {made.label ? <>“{made.label}”: </> : null}
        {made.label ? devices : devices.charAt(0).toUpperCase() + devices.slice(1)} may enrol with
        it until {schoolDateTime(made.expiresAt, school.data?.timeZone)}
        {made.groupNames.length > 0 ? `, joining ${made.groupNames.join(', ')}` : ''}
        {made.reenrol ? '. It may re-enrol devices that are already enrolled' : ''}. The hub does
        not keep the token itself: copy it or scan the code now.
      </p>
      <div className="new-token-layout">
        <div className="new-token-text">
          <CopyText label="Enrolment token" value={made.token} copyLabel="Copy token" />
          <TextField
            label="Hub address for devices"
            description="The address devices use to reach the hub. The code and the command below use it."
            value={hubUrl}
            onChange={setHubUrl}
            errorMessage={problem}
          />
          {!problem && isLocalOnly(hubUrl) ? (
            <p className="enrol-warning" role="note">
              <strong>Only this computer can use this address.</strong> Type the address the hub
              printed for devices on the network (for example https://192.168.10.5:8443).
            </p>
          ) : null}
          {!problem ? (
            <CopyText
              label="Command to enrol a laptop with the agent"
              value={agentEnrolCommand(hubUrl, made.token, fingerprint)}
              copyLabel="Copy command"
              rows={3}
            />
          ) : null}
          <p className="field-description">
            Run it in a copy of the hub’s software on the laptop (see the README), then start the
            agent with <code>npm run agent -- run</code>.
          </p>
        </div>
        <figure className="new-token-qr">
          {qr.src ? (
            <img src={qr.src} alt="Enrolment QR code" width={240} height={240} />
          ) : (
            <div className="new-token-qr-missing">
              {problem ? 'Correct the hub address to see the code.' : 'Drawing the code…'}
            </div>
          )}
          <figcaption>
            Scan with the device app: it holds the hub address
            {hubUrl.trim().startsWith('https://') ? ', the fingerprint of its certificate' : ''} and
            the token.
          </figcaption>
          <ErrorMessage error={qr.error ?? school.error} title="Could not draw the code." />
        </figure>
      </div>
    </section>
  );
}
