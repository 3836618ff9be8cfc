<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>MainWindow</name>
    <message>
        <source>Endpoints</source>
        <translation>Endpunkte</translation>
    </message>
    <message>
        <source>The storage engines guimirror is attached to; the selected one&apos;s nodes are listed</source>
        <translation>Die Speicher-Engines, mit denen guimirror verbunden ist; die Knoten der gewählten werden aufgelistet</translation>
    </message>
    <message>
        <source>Add an endpoint</source>
        <translation>Einen Endpunkt hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove endpoint</source>
        <translation>Endpunkt entfernen</translation>
    </message>
    <message>
        <source>Detach the selected endpoint</source>
        <translation>Den gewählten Endpunkt trennen</translation>
    </message>
    <message>
        <source>Block nodes</source>
        <translation>Blockknoten</translation>
    </message>
    <message>
        <source>The named block nodes of the selected endpoint (query-named-block-nodes)</source>
        <translation>Die benannten Blockknoten des gewählten Endpunkts (query-named-block-nodes)</translation>
    </message>
    <message>
        <source>Node details</source>
        <translation>Knotendetails</translation>
    </message>
    <message>
        <source>The selected node&apos;s child chain and its raw JSON</source>
        <translation>Die Kindkette des gewählten Knotens und sein rohes JSON</translation>
    </message>
    <message>
        <source>Select a node: its child chain and raw JSON</source>
        <translation>Einen Knoten wählen: seine Kindkette und rohes JSON</translation>
    </message>
    <message>
        <source>All jobs</source>
        <translation>Alle Jobs</translation>
    </message>
    <message>
        <source>Plot every job, not only the selected one</source>
        <translation>Jeden Job zeichnen, nicht nur den gewählten</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>Folgen</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <source>Save the plots as a PNG image</source>
        <translation>Die Diagramme als PNG-Bild speichern</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <source>Save the plotted samples as CSV</source>
        <translation>Die gezeichneten Messwerte als CSV speichern</translation>
    </message>
    <message>
        <source>Plots:</source>
        <translation>Diagramme:</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <source>Write load</source>
        <translation>Schreiblast</translation>
    </message>
    <message>
        <source>Log and drills</source>
        <translation>Protokoll und Übungen</translation>
    </message>
    <message>
        <source>remove endpoint</source>
        <translation>Endpunkt entfernen</translation>
    </message>
    <message>
        <source>set speed</source>
        <translation>Geschwindigkeit setzen</translation>
    </message>
    <message>
        <source>start mirror</source>
        <translation>Spiegelung starten</translation>
    </message>
    <message>
        <source>write load: {0}</source>
        <translation>Schreiblast: {0}</translation>
    </message>
    <message>
        <source>&amp;Add node…</source>
        <translation>Knoten &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Add a block node (blockdev-add)</source>
        <translation>Einen Blockknoten hinzufügen (blockdev-add)</translation>
    </message>
    <message>
        <source>&amp;Remove node</source>
        <translation>Knoten ent&amp;fernen</translation>
    </message>
    <message>
        <source>remove node</source>
        <translation>Knoten entfernen</translation>
    </message>
    <message>
        <source>Remove the selected node (blockdev-del)</source>
        <translation>Den gewählten Knoten entfernen (blockdev-del)</translation>
    </message>
    <message>
        <source>New &amp;mirror</source>
        <translation>Neue &amp;Spiegelung</translation>
    </message>
    <message>
        <source>Fill in the blockdev-mirror form</source>
        <translation>Das blockdev-mirror-Formular ausfüllen</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>refresh</source>
        <translation>aktualisieren</translation>
    </message>
    <message>
        <source>Start a qemu-storage-&amp;daemon</source>
        <translation>Einen qemu-storage-&amp;daemon starten</translation>
    </message>
    <message>
        <source>start daemon</source>
        <translation>Daemon starten</translation>
    </message>
    <message>
        <source>Start a qemu-storage-daemon and open it as an endpoint</source>
        <translation>Einen qemu-storage-daemon starten und als Endpunkt öffnen</translation>
    </message>
    <message>
        <source>&amp;Attach to an endpoint…</source>
        <translation>Mit einem Endpunkt &amp;verbinden…</translation>
    </message>
    <message>
        <source>Attach by URI: a QMP socket (unix:PATH, tcp:HOST:PORT) or a new qemu-storage-daemon (qsd:)</source>
        <translation>Per URI verbinden: ein QMP-Socket (unix:PFAD, tcp:HOST:PORT) oder ein neuer qemu-storage-daemon (qsd:)</translation>
    </message>
    <message>
        <source>Create the &amp;example workspace</source>
        <translation>&amp;Beispiel-Arbeitsbereich anlegen</translation>
    </message>
    <message>
        <source>example workspace</source>
        <translation>Beispiel-Arbeitsbereich</translation>
    </message>
    <message>
        <source>Export plots as &amp;PNG…</source>
        <translation>Diagramme als &amp;PNG exportieren…</translation>
    </message>
    <message>
        <source>Export samples as &amp;CSV…</source>
        <translation>Messwerte als &amp;CSV exportieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;About guimirror</source>
        <translation>&amp;Über guimirror</translation>
    </message>
    <message>
        <source>&amp;Sampling rate…</source>
        <translation>A&amp;btastrate…</translation>
    </message>
    <message>
        <source>Plot &amp;time span…</source>
        <translation>&amp;Zeitspanne der Diagramme…</translation>
    </message>
    <message>
        <source>&amp;Decimal units (MB/s)</source>
        <translation>&amp;Dezimale Einheiten (MB/s)</translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation>Desktop-&amp;Benachrichtigungen</translation>
    </message>
    <message>
        <source>Notify when a job is ready, ends, or stops on an error</source>
        <translation>Benachrichtigen, wenn ein Job bereit ist, endet oder wegen eines Fehlers anhält</translation>
    </message>
    <message>
        <source>&amp;Start mirror</source>
        <translation>Spiegelung &amp;starten</translation>
    </message>
    <message>
        <source>Start the mirror the blockdev-mirror form describes</source>
        <translation>Die Spiegelung starten, die das blockdev-mirror-Formular beschreibt</translation>
    </message>
    <message>
        <source>{0} the selected job</source>
        <translation>Gewählter Job: {0}</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Anhalten</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Complete</source>
        <translation>Abs&amp;chließen</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation>Abb&amp;rechen</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Endpoint</source>
        <translation>&amp;Endpunkt</translation>
    </message>
    <message>
        <source>&amp;Node</source>
        <translation>&amp;Knoten</translation>
    </message>
    <message>
        <source>&amp;Job</source>
        <translation>&amp;Job</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Endpoints</source>
        <translation>&amp;Endpunkte</translation>
    </message>
    <message>
        <source>blockdev-&amp;mirror form</source>
        <translation>blockdev-&amp;mirror-Formular</translation>
    </message>
    <message>
        <source>&amp;Log and drills</source>
        <translation>&amp;Protokoll und Übungen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>start mirror: {0}</source>
        <translation>Spiegelung starten: {0}</translation>
    </message>
    <message>
        <source>the form is not complete</source>
        <translation>das Formular ist nicht vollständig</translation>
    </message>
    <message>
        <source>{0}: select a job first</source>
        <translation>{0}: zuerst einen Job wählen</translation>
    </message>
    <message>
        <source>{0}: {1} does not serve {2}</source>
        <translation>{0}: {1} bietet {2} nicht an</translation>
    </message>
    <message>
        <source>{0}: job {1} is {2}</source>
        <translation>{0}: Job {1} ist {2}</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Every action that has a shortcut, and its keys</source>
        <translation>Jede Aktion mit einem Tastenkürzel und ihre Tasten</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Close the list of shortcuts</source>
        <translation>Die Liste der Tastenkürzel schließen</translation>
    </message>
    <message>
        <source>no endpoint</source>
        <translation>kein Endpunkt</translation>
    </message>
    <message>
        <source>{0}: {1}{2}, {3}, {4} nodes, sampling {5} Hz</source>
        <translation>{0}: {1}{2}, {3}, {4} Knoten, Abtastung {5} Hz</translation>
    </message>
    <message>
        <source>1 job active</source>
        <translation>1 Job aktiv</translation>
    </message>
    <message>
        <source>{0} jobs active</source>
        <translation>{0} Jobs aktiv</translation>
    </message>
    <message>
        <source>, {0}/s</source>
        <translation>, {0}/s</translation>
    </message>
</context>
<context>
    <name>Preferences</name>
    <message>
        <source>Sampling rate</source>
        <translation>Abtastrate</translation>
    </message>
    <message>
        <source>Samples per second (0.5 to 50):</source>
        <translation>Messwerte pro Sekunde (0,5 bis 50):</translation>
    </message>
    <message>
        <source>How often each endpoint is asked for its jobs&apos; progress</source>
        <translation>Wie oft jeder Endpunkt nach dem Fortschritt seiner Jobs gefragt wird</translation>
    </message>
    <message>
        <source>Plot window</source>
        <translation>Diagrammfenster</translation>
    </message>
    <message>
        <source>Seconds of samples to show (0: all of them):</source>
        <translation>Sekunden an Messwerten, die gezeigt werden (0: alle):</translation>
    </message>
    <message>
        <source>How many seconds of samples the plots keep in view</source>
        <translation>Wie viele Sekunden an Messwerten die Diagramme zeigen</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Apply: {0}</source>
        <translation>Übernehmen: {0}</translation>
    </message>
    <message>
        <source>Close without a change</source>
        <translation>Ohne Änderung schließen</translation>
    </message>
    <message>
        <source>About guimirror</source>
        <translation>Über guimirror</translation>
    </message>
    <message>
        <source>&lt;p&gt;Mirror live block devices with QEMU&apos;s &lt;code&gt;blockdev-mirror&lt;/code&gt;, on the built-in engine or on QEMU over QMP, and watch throughput and dirty clusters as it runs.&lt;/p&gt;&lt;p&gt;Licence: GPL-2.0-or-later.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Laufende Blockgeräte mit QEMUs &lt;code&gt;blockdev-mirror&lt;/code&gt; spiegeln, auf der eingebauten Engine oder auf QEMU über QMP, und dabei Durchsatz und schmutzige Cluster beobachten.&lt;/p&gt;&lt;p&gt;Lizenz: GPL-2.0-or-later.&lt;/p&gt;</translation>
    </message>
</context>
</TS>
