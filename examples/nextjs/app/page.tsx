export default function Home() {
  return (
    <main>
      <h1>Nexora Queue receiver</h1>
      <p>
        Webhooks arrive at <code>POST /api/process-queue</code>; <code>GET /api/processed</code> shows what was processed.
      </p>
    </main>
  )
}
