package manifest

import (
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
)

const corpPRF = "\ufeff; test PRF\r\n[General]\r\nProfileName=corp\r\nOverwriteProfile=Append\r\n\r\n" +
	"[Service List]\r\nService1=LDAP Directory\r\nService2=Unicode Personal Folders\r\n\r\n" +
	"[Internet Account List]\r\nAccount1=IMAP_I_Mail\r\n\r\n" +
	"[Service1]\r\nServerName=ldap.%CORP_DOMAIN%\r\nConnectionPort=636\r\nDisplayName=Corp Directory\r\nUserName=ldapuser\r\n\r\n" +
	"[Service2]\r\nName=Archive\r\nPathAndFilenameToPersonalFolders=C:\\Mail\\a.pst\r\n\r\n" +
	"[Account1]\r\nAccountName=Corp Mail\r\nDisplayName=Dana Li\r\nEmailAddress=dana@corp.example\r\nIMAPServer=imap.corp.example\r\n" +
	"IMAPUserName=dana\r\nSMTPServer=smtp.%CORP_DOMAIN%\r\nSMTPSecureConnection=1\r\nSMTPUseAuth=1\r\nSMTPAuthMethod=0\r\n\r\n" +
	"[LDAP Directory]\r\nServiceName=EMABLT\r\nServerName=PT_STRING8,0x6600\r\nConnectionPort=PT_STRING8,0x6601\r\n" +
	"DisplayName=PT_STRING8,0x3001\r\nUserName=PT_STRING8,0x67F0\r\n\r\n" +
	"[Unicode Personal Folders]\r\nServiceName=MSUPST MS\r\nName=PT_UNICODE,0x3001\r\nPathAndFilenameToPersonalFolders=PT_STRING8,0x6700\r\n\r\n" +
	"[IMAP_I_Mail]\r\nAccountType=IMAP\r\nAccountName=PT_UNICODE,0x0002\r\nDisplayName=PT_UNICODE,0x000B\r\nEmailAddress=PT_UNICODE,0x000C\r\n" +
	"IMAPServer=PT_UNICODE,0x0100\r\nIMAPUserName=PT_UNICODE,0x0101\r\nSMTPServer=PT_UNICODE,0x0200\r\n" +
	"SMTPSecureConnection=PT_LONG,0x020A\r\nSMTPUseAuth=PT_LONG,0x0208\r\nSMTPAuthMethod=PT_LONG,0x0209\r\n"

func TestImportPRF(t *testing.T) {
	f, err := prf.Parse(strings.NewReader(corpPRF), env(map[string]string{"CORP_DOMAIN": "corp.example"}))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	id, r := newKey(t)
	ids := []age.Identity{id}
	p := profile.New("corp", []string{r})
	sum, err := ImportPRF(p, f, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := `imported corp: 1 internet account (IMAP_I_Mail → transport "Corp Mail": smtp.corp.example:465 tls), 2 services (Corp Directory, Archive)`
	if sum.Line() != want {
		t.Errorf("summary\n%s\nwant\n%s", sum.Line(), want)
	}
	dir, _ := p.Section("Corp Directory")
	if dir.Kind != profile.KindAddressBook || dir.String(0x6600001E) != "ldap.corp.example" || dir.String(mapi.PrServiceName) != "EMABLT" {
		t.Errorf("directory = %+v", dir.Props)
	}
	if c, err := dir.ReadSecure(ids); err != nil || c.Props[0x67F0001E] != "ldapuser" {
		t.Errorf("directory secure range: %v", err)
	}
	if _, ok := dir.Props[0x67F0001E]; ok {
		t.Error("secure tag in props")
	}
	if a, _ := p.Section("Archive"); a == nil || a.Kind != profile.KindStore {
		t.Errorf("archive = %+v", a)
	}
	tr, _ := p.Section("Corp Mail")
	if tr.Kind != profile.KindTransport || tr.String(mapi.PrSMTPHost) != "smtp.corp.example" || tr.Long(mapi.PrSMTPPort, 0) != 465 ||
		tr.String(mapi.PrSMTPSecurity) != "tls" || tr.String(mapi.PrEmailAddress) != "dana@corp.example" || tr.String(mapi.PrDisplayName) != "Dana Li" {
		t.Errorf("transport = %+v", tr.Props)
	}
	if c, err := tr.ReadSecure(ids); err != nil || c.Props[mapi.PrUsername] != "dana" {
		t.Errorf("username (same as incoming): %v %v", c, err)
	}
	// Append again: same sections, no error.
	if _, err := ImportPRF(p, f, ids); err != nil || len(p.Sections) != 4 {
		t.Fatalf("append: %v, %d sections", err, len(p.Sections))
	}
}

func TestImportPRFBadName(t *testing.T) {
	doc := strings.Replace(corpPRF, "AccountName=Corp Mail", "AccountName=Corp/Mail", 1)
	f, err := prf.Parse(strings.NewReader(doc), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	_, r := newKey(t)
	_, err = ImportPRF(profile.New("corp", []string{r}), f, nil)
	if codeOf(err) != "MAPI_E_CORRUPT_DATA" || !strings.Contains(err.Error(), "[Internet Account List] line") {
		t.Fatalf("err = %v", err)
	}
}

// TestImportPRFNames: an imported service section keeps the PRF's name of
// each tag it imported (the secure ones too) in PrPRFNames, below the
// secure range so it is listed and never sealed; a second import merges.
func TestImportPRFNames(t *testing.T) {
	if PrPRFNames.Secure() || !PrPRFNames.ProviderPrivate() || PrPRFNames.Check() != nil || PrPRFNames.Type() != mapi.PtUnicode|mapi.MvFlag {
		t.Fatalf("PrPRFNames %s is not a listable PT_MV_UNICODE provider tag", PrPRFNames)
	}
	f, err := prf.Parse(strings.NewReader(corpPRF), env(map[string]string{"CORP_DOMAIN": "corp.example"}))
	if err != nil {
		t.Fatal(err)
	}
	id, r := newKey(t)
	ids := []age.Identity{id}
	p := profile.New("corp", []string{r})
	if _, err := ImportPRF(p, f, ids); err != nil {
		t.Fatal(err)
	}
	dir, _ := p.Section("Corp Directory")
	want := []string{"0x3001001E=DisplayName", "0x6600001E=ServerName", "0x6601001E=ConnectionPort", "0x67F0001E=UserName"}
	if got, _ := dir.Props[PrPRFNames].([]string); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("names = %q, want %q", got, want)
	}
	if n := PRFNames(dir.Props); n[0x6600001E] != "ServerName" || n[0x67F0001E] != "UserName" {
		t.Errorf("PRFNames = %v", n)
	}
	if tr, _ := p.Section("Corp Mail"); tr.Props[PrPRFNames] != nil {
		t.Error("transport section got PRF names: its tags are mapictl's own")
	}

	// Append with another mapping name for one tag and a new tag.
	more := "[Service List]\nService1=LDAP Directory\n[Service1]\nDisplayName=Corp Directory\nServerName=ldap2.corp.example\nSearchBase=dc=corp\n" +
		"[LDAP Directory]\nServiceName=EMABLT\nDisplayName=PT_STRING8,0x3001\nServerName=PT_STRING8,0x6600\nSearchBase=PT_STRING8,0x6603\n"
	f2, err := prf.Parse(strings.NewReader(more), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPRF(p, f2, ids); err != nil {
		t.Fatal(err)
	}
	if n := PRFNames(dir.Props); len(n) != 5 || n[0x6603001E] != "SearchBase" || n[0x6601001E] != "ConnectionPort" {
		t.Errorf("after append: %v", n)
	}

	// A PRF cannot map a key onto the names' own ID.
	clash := "[Service List]\nService1=M\n[Service1]\nX=1\n[M]\nServiceName=X\nX=PT_LONG,0x67EF\n"
	f3, err := prf.Parse(strings.NewReader(clash), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPRF(profile.New("c", []string{r}), f3, ids); codeOf(err) != "MAPI_E_CORRUPT_DATA" || !strings.Contains(err.Error(), "0x67EF") {
		t.Errorf("clash: %v", err)
	}
}
