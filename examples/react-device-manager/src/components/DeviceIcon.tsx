/** A phone or a computer, guessed from the server's device label; decoration only. */
export function DeviceIcon({ device }: { device: string }) {
  const phone = /\b(iOS|iPhone|iPad|Android)\b/i.test(device);
  return (
    <svg className="device-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {phone ? (
        <>
          <rect x="6.5" y="2.5" width="11" height="19" rx="2.5" />
          <line x1="10.5" y1="18" x2="13.5" y2="18" />
        </>
      ) : (
        <>
          <rect x="3" y="4.5" width="18" height="12" rx="1.5" />
          <line x1="8" y1="20" x2="16" y2="20" />
          <line x1="12" y1="16.5" x2="12" y2="20" />
        </>
      )}
    </svg>
  );
}
