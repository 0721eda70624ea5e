// "Online" or "Offline" in words, with a mark that differs in shape as well as colour.
export function OnlineState({ online }: { online: boolean }) {
  return (
    <span className={online ? 'online-state online-state-on' : 'online-state online-state-off'}>
      <span className="online-mark" aria-hidden="true" />
      {online ? 'Online' : 'Offline'}
    </span>
  );
}
